import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Type-checks files with the project's tsconfig, as a user's editor would; returns the diagnostics. */
export function typeCheck(files: string[]): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })
  if (!config) throw new Error('tsconfig.json could not be read')
  const program = ts.createProgram(files, { ...config.options, noEmit: true })
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' }
  return ts.getPreEmitDiagnostics(program).map((d) => ts.formatDiagnostic(d, host))
}
