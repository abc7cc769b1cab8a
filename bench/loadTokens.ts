import { hashToken } from '../src/auth/hashToken.js';

/**
 * The bearer tokens of `count` load-generating clients (bench/grpcLoad.ts `--token-prefix`):
 * client i's is `prefix` and i in four digits. Legal tokens (tokenPattern) when `prefix` is a
 * printable ASCII string without spaces of at least 12 characters. Test tokens, not secrets.
 */
export function loadTokens(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
}

/** A tokens file (YAML, for `cosched serve --tokens-file`) that gives each of `tokens` the planner role. */
export function loadTokensFile(tokens: string[]): string {
  return `tokens:\n${tokens.map((token, i) => `  - name: load-${i}\n    role: planner\n    hash: ${hashToken(token)}\n`).join('')}`;
}
