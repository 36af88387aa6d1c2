export function installTarball(folder: string): void
