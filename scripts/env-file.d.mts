export function parseEnvFile(text: string): Record<string, string>;
export function withEnvFile(env: Record<string, string | undefined>, text: string): Record<string, string | undefined>;
