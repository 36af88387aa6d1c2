export function benchSection(results: unknown): string
export function withBenchSection(readme: string, results: unknown): string
