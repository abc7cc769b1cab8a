import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { addTokenToFile } from '../auth/addTokenToFile.js';
import { entryNamePattern } from '../auth/parseTokensFile.js';
import { isRole, roles } from '../auth/Role.js';
import { exitCodes } from './exitCodes.js';
import { UsageError } from './UsageError.js';

/**
 * `cosched token create --name NAME --role planner|admin [--tokens-file FILE] [--out TOKEN_FILE]`:
 * mints a token, adds its hash to the tokens file (FILE, else COSCHED_TOKENS_FILE; created when
 * missing; see addTokenToFile) and writes the token, and only it, as one line to `stdout`, or with
 * `--out` to TOKEN_FILE (created with mode 0600; an existing file is never overwritten), and what
 * was done to `stderr`. TOKEN_FILE is created before the tokens file is changed and removed again
 * when that fails, so no entry is ever added whose token went nowhere. Returns the exit code (0).
 *
 * @throws UsageError for a bad command line (unknown subcommand or flag, a missing or bad name or
 *   role, no tokens file); CoschedError when the file is broken or has that name already,
 *   ALREADY_EXISTS when TOKEN_FILE exists, INVALID_ARGUMENT when it cannot be created.
 */
export function runTokenCommand(argv: readonly string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, env: NodeJS.ProcessEnv = process.env): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: { name: { type: 'string' }, role: { type: 'string' }, 'tokens-file': { type: 'string' }, out: { type: 'string' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('. ')[0]);
  }
  const { values, positionals } = parsed;
  const [, action, extra] = positionals;
  if (action !== 'create') throw new UsageError(action === undefined ? "token: missing subcommand: expected 'token create'" : `unknown command 'token ${action}': expected 'token create'`);
  if (extra !== undefined) throw new UsageError(`token create: unexpected argument '${extra}'`);
  const { name, role } = values;
  if (name === undefined) throw new UsageError('token create: missing --name NAME (who the token is for, as logs show it)');
  if (!entryNamePattern.test(name)) throw new UsageError(`--name '${name}': expected 1 to 64 letters, digits, '.', '_' or '-'`);
  if (!isRole(role)) throw new UsageError(`--role ${role === undefined ? 'is missing' : `'${role}'`}: expected one of ${roles.join(', ')}`);
  const path = values['tokens-file'] ?? (env.COSCHED_TOKENS_FILE || undefined);
  if (path === undefined) throw new UsageError('token create: missing --tokens-file FILE (or COSCHED_TOKENS_FILE): the file to add the token to');
  const out = values.out;
  if (out === '') throw new UsageError('--out: expected a file name');
  if (out === undefined) {
    const token = addTokenToFile(path, name, role);
    io.stdout.write(`${token}\n`);
    io.stderr.write(`cosched: added token '${name}' (role ${role}) to ${path}, stored as its SHA-256; this is the only time it is shown. A server using the file accepts it within about a second.\n`);
    return exitCodes.ok;
  }
  const fd = createTokenFile(out);
  try {
    writeFileSync(fd, `${addTokenToFile(path, name, role)}\n`);
  } catch (error) {
    closeSync(fd);
    rmSync(out, { force: true });
    throw error;
  }
  closeSync(fd);
  io.stderr.write(`cosched: added token '${name}' (role ${role}) to ${path}, stored as its SHA-256, and wrote the token to ${out} (mode 0600), the only place it is kept. A server using the file accepts it within about a second.\n`);
  return exitCodes.ok;
}

/** Opens `out` as a new file only its owner may read (mode 0600, O_EXCL: never an existing file). */
function createTokenFile(out: string): number {
  try {
    return openSync(out, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    if (code === 'EEXIST') {
      throw new CoschedError('ALREADY_EXISTS', `--out ${out}: the file exists already; it is never overwritten: choose another name or remove it first (no token was created)`, {
        violations: [{ field: '--out', description: `'${out}' exists already` }],
      });
    }
    throw new CoschedError('INVALID_ARGUMENT', `--out ${out}: cannot create the file: ${code} (no token was created)`, { violations: [{ field: '--out', description: `cannot create it: ${code}` }] });
  }
}
