// tragentics-webhooks: sign a payload, verify a header, send a signed test
// delivery. The secret is never printed, in any output or error.
import { readFile } from 'node:fs/promises'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { isWebhookVerificationError } from './errors.js'
import { sign } from './sign.js'
import { sendSignedDelivery } from './testing.js'
import { verify } from './verify.js'

/** Where the CLI writes and what it reads: the process's own, or a test's. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  stdin: () => Promise<Uint8Array | undefined>
  env: Record<string, string | undefined>
}

const SECRET_ENV = 'TRAGENTICS_WEBHOOK_SECRET'

const SECRET_HELP = `  --secret S           the webhook secret; repeat it to sign with several (a rotation).
                       Prefer the ${SECRET_ENV} environment variable: flags end up in shell history.`
const BODY_HELP = `  --data BODY          the body, exactly as given (usually JSON)
  --file F             the body, the bytes of a file (- for stdin)
                       With neither, the body is read from stdin.`

const HELP: Record<string, string> = {
  main: `Usage: tragentics-webhooks <command> [options]

Sign and check Tragentics webhook deliveries (X-Tragentics-Signature, scheme v1).

Commands:
  sign     print the X-Tragentics-Signature header for a body
  verify   check a header against a body
  send     POST a signed test delivery to a URL

Options:
  -h, --help           help for a command: tragentics-webhooks <command> --help
  -v, --version        the version

The secret comes from --secret or ${SECRET_ENV} (preferred: flags end up in shell history).
Exit codes: 0 success, 1 refused or failed, 2 usage error.
`,
  sign: `Usage: tragentics-webhooks sign [--secret S] [--timestamp T] (--data BODY | --file F | stdin)

Prints the X-Tragentics-Signature header value for the body.

${SECRET_HELP}
  --timestamp T        the signing time, Unix seconds (default now)
${BODY_HELP}
`,
  verify: `Usage: tragentics-webhooks verify [--secret S] --header H (--data BODY | --file F | stdin)

Prints "valid" and exits 0, or the error code and message and exits 1.

${SECRET_HELP}
                       Several --secret: the receiver accepts any of them.
  --header H           the X-Tragentics-Signature value
  --tolerance S        seconds allowed between now and the signature's time (default 300)
  --now T              the receiver's clock, Unix seconds (default now)
${BODY_HELP}
`,
  send: `Usage: tragentics-webhooks send URL [--secret S] (--data BODY | --file F) [--timestamp T] [-H 'Name: value']...

POSTs the signed body to URL and prints the status, the response body and the time taken.
Exits 1 on an answer that is not 2xx, or when the receiver cannot be reached
(refused, timed out, DNS or TLS failure, each said as such).

${SECRET_HELP}
${BODY_HELP}
  --timestamp T        the signing time, Unix seconds (default now)
  -H, --header 'N: V'  an extra request header; repeatable (Content-Type defaults to application/json)
  --timeout MS         give up after this many milliseconds (default 10000)
`,
}

class UsageError extends Error {}

const bodyOptions = { data: { type: 'string' }, file: { type: 'string' } } as const
const common = { secret: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } as const

const OPTIONS = {
  sign: { ...common, ...bodyOptions, timestamp: { type: 'string' } },
  verify: { ...common, ...bodyOptions, header: { type: 'string' }, tolerance: { type: 'string' }, now: { type: 'string' } },
  send: { ...common, ...bodyOptions, timestamp: { type: 'string' }, header: { type: 'string', short: 'H', multiple: true }, timeout: { type: 'string' } },
} satisfies Record<string, ParseArgsConfig['options']>

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  if (!/^[0-9]{1,15}$/.test(value)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`)
  return Number(value)
}

function secrets(flags: string[] | undefined, env: CliIo['env']): string[] {
  const list = flags ?? (env[SECRET_ENV] ? [env[SECRET_ENV]] : [])
  if (list.length === 0) throw new UsageError(`no secret: set ${SECRET_ENV} (preferred) or pass --secret`)
  if (list.some((s) => s === '')) throw new UsageError('a secret is empty')
  return list
}

async function body(values: { data?: string; file?: string }, io: CliIo, allowStdin: boolean): Promise<string | Uint8Array> {
  if (values.data !== undefined && values.file !== undefined) throw new UsageError('give --data or --file, not both')
  if (values.data !== undefined) return values.data
  if (values.file !== undefined && values.file !== '-') {
    try {
      return await readFile(values.file)
    } catch (err) {
      throw new UsageError(`cannot read --file ${values.file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
    }
  }
  const input = allowStdin || values.file === '-' ? await io.stdin() : undefined
  if (input === undefined) throw new UsageError('no body: give --data, --file, or pipe it on stdin')
  return input
}

function headerFlags(flags: string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const flag of flags ?? []) {
    const colon = flag.indexOf(':')
    if (colon <= 0) throw new UsageError(`-H wants 'Name: value', got ${JSON.stringify(flag)}`)
    headers[flag.slice(0, colon).trim().toLowerCase()] = flag.slice(colon + 1).trim()
  }
  return headers
}

async function run(command: keyof typeof OPTIONS, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS[command], allowPositionals: command === 'send', strict: true })
  if (values.help) {
    io.stdout(HELP[command] ?? '')
    return 0
  }
  switch (command) {
    case 'sign': {
      const v = values as { secret?: string[]; data?: string; file?: string; timestamp?: string }
      const timestamp = integer(v.timestamp, 'timestamp')
      const header = await sign(await body(v, io, true), secrets(v.secret, io.env), timestamp === undefined ? {} : { timestamp })
      io.stdout(`${header}\n`)
      return 0
    }
    case 'verify': {
      const v = values as { secret?: string[]; data?: string; file?: string; header?: string; tolerance?: string; now?: string }
      if (v.header === undefined) throw new UsageError('verify needs --header, the X-Tragentics-Signature value')
      const keys = secrets(v.secret, io.env)
      const tolerance = integer(v.tolerance, 'tolerance')
      const now = integer(v.now, 'now')
      try {
        const result = await verify(await body(v, io, true), v.header, keys, { ...(tolerance === undefined ? {} : { tolerance }), ...(now === undefined ? {} : { now }) })
        io.stdout(`valid (t=${result.timestamp}, secret #${result.secretIndex})\n`)
        return 0
      } catch (err) {
        if (!isWebhookVerificationError(err)) throw err
        io.stdout(`${err.code}: ${err.message}\n`)
        return 1
      }
    }
    case 'send': {
      const v = values as { secret?: string[]; data?: string; file?: string; timestamp?: string; header?: string[]; timeout?: string }
      const [url, ...extra] = positionals
      if (url === undefined || extra.length > 0) throw new UsageError('send needs exactly one URL')
      if (!/^https?:\/\//i.test(url)) throw new UsageError(`the URL must start with http:// or https://, got ${JSON.stringify(url)}`)
      if (v.data === undefined && v.file === undefined) throw new UsageError('send needs --data or --file')
      const timestamp = integer(v.timestamp, 'timestamp')
      const timeoutMs = integer(v.timeout, 'timeout') ?? 10_000
      const payload = await body(v, io, false)
      try {
        const result = await sendSignedDelivery(url, payload, secrets(v.secret, io.env), {
          headers: headerFlags(v.header),
          timeoutMs,
          ...(timestamp === undefined ? {} : { timestamp }),
        })
        io.stdout(`${result.status} in ${result.ms.toFixed(0)} ms\n${result.body}${result.body.endsWith('\n') || result.body === '' ? '' : '\n'}`)
        return result.status >= 200 && result.status < 300 ? 0 : 1
      } catch (err) {
        if (err instanceof UsageError) throw err
        io.stderr(`tragentics-webhooks send: ${(err as Error).message}\n`)
        return 1
      }
    }
  }
}

function redact(message: string, env: CliIo['env']): string {
  const secret = env[SECRET_ENV]
  const masked = secret ? message.split(secret).join('[secret]') : message
  return masked.replace(/whsec_[^\s'"]*/g, 'whsec_[redacted]')
}

/**
 * Runs the CLI with some arguments and returns the exit code: 0 success, 1
 * refused or failed, 2 usage error.
 */
export async function main(argv: string[], io: CliIo, version: string): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(HELP.main ?? '')
    return command === undefined ? 2 : 0
  }
  if (command === '-v' || command === '--version') {
    io.stdout(`${version}\n`)
    return 0
  }
  if (!(command in OPTIONS)) {
    io.stderr(`tragentics-webhooks: unknown command ${JSON.stringify(command)}\n\n${HELP.main ?? ''}`)
    return 2
  }
  try {
    return await run(command as keyof typeof OPTIONS, rest, io)
  } catch (err) {
    const code = (err as { code?: string }).code ?? ''
    if (!(err instanceof UsageError || err instanceof TypeError || code.startsWith('ERR_PARSE_ARGS'))) throw err
    // A stray argument may be a secret typed in the wrong place: never echo it.
    const message =
      code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? 'unexpected argument (not shown): this command takes options only' : redact((err as Error).message, io.env)
    io.stderr(`tragentics-webhooks ${command}: ${message}\nRun tragentics-webhooks ${command} --help for usage.\n`)
    return 2
  }
}
