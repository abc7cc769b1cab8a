import { parse as parseYaml } from 'yaml';
import { CoschedError, type FieldViolation } from '../../solver/errors/CoschedError.js';
import { isRole, roles, type Role } from './Role.js';

/** Who a caller is once its token or certificate is accepted. */
export interface Identity {
  /** `token:<name>` or `cert:<cn>`: the caller as logs and per-client limits know it. */
  client: string;
  role: Role;
}

/** The credentials a tokens file accepts. */
export interface CredentialTable {
  /** By token hash (`sha256:<hex>`). */
  tokens: ReadonlyMap<string, Identity>;
  /** By client certificate subject CN (mTLS). */
  certificates: ReadonlyMap<string, Identity>;
}

/** A token's or certificate's name: letters, digits, `.`, `_`, `-`, 1 to 64 characters. */
export const entryNamePattern = /^[A-Za-z0-9._-]{1,64}$/;
const hashPattern = /^sha256:[0-9a-f]{64}$/;
const cnPattern = /^[\x20-\x7e]{1,128}$/;

/**
 * Reads a tokens file's text (YAML; JSON is YAML too):
 *
 * ```yaml
 * tokens:                       # bearer tokens, stored hashed
 *   - name: scheduler-a         # letters, digits, . _ -; unique
 *     role: planner             # planner | admin
 *     hash: sha256:9f86d0...    # sha256: + 64 hex digits of the token's SHA-256
 * certificates:                 # mTLS client certificates (with --tls-client-ca), by subject CN
 *   - cn: batch-runner          # unique
 *     role: admin
 * ```
 *
 * Both lists may be missing or empty (then nothing is accepted). An empty file is refused: it is
 * what a half-written file looks like.
 *
 * @throws CoschedError INVALID_ARGUMENT naming `path` and every problem: not YAML, unknown keys,
 *   a missing or bad name, role, hash or cn (its path, e.g. `tokens[2].role`, and what is
 *   allowed), a name, hash or cn given twice. Hash values are never echoed.
 */
export function parseTokensFile(text: string, path: string): CredentialTable {
  const problems: FieldViolation[] = [];
  const failure = (): CoschedError => {
    const lines = problems.map((p) => `  ${p.field}: ${p.description}`);
    return new CoschedError('INVALID_ARGUMENT', `tokens file ${path}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${lines.join('\n')}`, {
      violations: problems,
      reason: 'INVALID_TOKENS_FILE',
    });
  };
  if (text.trim() === '') {
    problems.push({ field: '(file)', description: 'the file is empty: expected a mapping with `tokens:` and/or `certificates:` (write `tokens: []` for none)' });
    throw failure();
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    problems.push({ field: '(file)', description: `not YAML or JSON: ${(error as Error).message.split('\n')[0]}` });
    throw failure();
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    problems.push({ field: '(file)', description: 'expected a mapping with `tokens:` and/or `certificates:`' });
    throw failure();
  }
  const top = document as Record<string, unknown>;
  for (const key of Object.keys(top)) if (key !== 'tokens' && key !== 'certificates') problems.push({ field: key, description: 'unknown key: expected tokens or certificates' });

  const tokens = new Map<string, Identity>();
  const certificates = new Map<string, Identity>();
  const names = new Set<string>();
  const list = (key: 'tokens' | 'certificates'): Array<Record<string, unknown>> => {
    const value = top[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      problems.push({ field: key, description: 'expected a list of entries' });
      return [];
    }
    return value.map((entry, index) => {
      if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) return entry as Record<string, unknown>;
      problems.push({ field: `${key}[${index}]`, description: 'expected a mapping' });
      return {};
    });
  };
  const role = (entry: Record<string, unknown>, field: string): Role | undefined => {
    if (isRole(entry.role)) return entry.role;
    problems.push({ field: `${field}.role`, description: `${describe(entry.role)}: expected one of ${roles.join(', ')}` });
    return undefined;
  };
  const unknownKeys = (entry: Record<string, unknown>, field: string, allowed: string[]) => {
    for (const key of Object.keys(entry)) if (!allowed.includes(key)) problems.push({ field: `${field}.${key}`, description: `unknown key: expected ${allowed.join(', ')}` });
  };

  list('tokens').forEach((entry, index) => {
    const field = `tokens[${index}]`;
    unknownKeys(entry, field, ['name', 'role', 'hash']);
    const { name, hash } = entry;
    const okName = typeof name === 'string' && entryNamePattern.test(name);
    if (!okName) problems.push({ field: `${field}.name`, description: `${describe(name)}: expected 1 to 64 letters, digits, '.', '_' or '-'` });
    else if (names.has(name)) problems.push({ field: `${field}.name`, description: `'${name}' is given twice: names must be unique` });
    else names.add(name);
    const normalised = typeof hash === 'string' ? hash.trim().toLowerCase() : undefined;
    // The hash is not echoed: a file's hashes are not secrets, but they need not spread into logs.
    if (normalised === undefined || !hashPattern.test(normalised)) problems.push({ field: `${field}.hash`, description: `${hash === undefined ? 'missing' : 'malformed'}: expected sha256: and 64 hex digits (cosched token create writes it)` });
    else if (tokens.has(normalised)) problems.push({ field: `${field}.hash`, description: 'the same hash as an earlier entry: each token must be different' });
    const granted = role(entry, field);
    if (okName && granted && normalised && hashPattern.test(normalised) && !tokens.has(normalised)) tokens.set(normalised, { client: `token:${name}`, role: granted });
  });
  list('certificates').forEach((entry, index) => {
    const field = `certificates[${index}]`;
    unknownKeys(entry, field, ['cn', 'role']);
    const { cn } = entry;
    const okCn = typeof cn === 'string' && cnPattern.test(cn);
    if (!okCn) problems.push({ field: `${field}.cn`, description: `${describe(cn)}: expected the certificate's subject common name, 1 to 128 printable ASCII characters` });
    else if (certificates.has(cn)) problems.push({ field: `${field}.cn`, description: `'${cn}' is given twice: each certificate CN must be unique` });
    const granted = role(entry, field);
    if (okCn && granted && !certificates.has(cn)) certificates.set(cn, { client: `cert:${cn}`, role: granted });
  });
  if (problems.length > 0) throw failure();
  return { tokens, certificates };
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
