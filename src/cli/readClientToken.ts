import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { tokenPattern } from '../auth/hashToken.js';
import { UsageError } from './UsageError.js';

/**
 * The bearer token a client command sends: the first line of `tokenFile` (surrounding white space
 * removed) when given, else COSCHED_TOKEN from `env` when set and not empty, else none. The token
 * itself never appears in an error message. When `tokenFile` may be read by its group or by others
 * (mode & 0o077), one warning line saying so goes to `stderr`; the token is still used.
 *
 * @throws UsageError naming the file or variable when the file cannot be read, or the token is
 *   empty or not 16 to 512 printable ASCII characters without spaces.
 */
export function readClientToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv = process.env, stderr: NodeJS.WritableStream = process.stderr): string | undefined {
  let token: string;
  let source: string;
  if (tokenFile !== undefined) {
    source = `--token-file ${tokenFile}`;
    let mode: number;
    try {
      const fd = openSync(tokenFile, 'r');
      try {
        mode = fstatSync(fd).mode;
        token = readFileSync(fd, 'utf8').split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? '';
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw new UsageError(`${source}: cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if ((mode & 0o077) !== 0) {
      const octal = (mode & 0o777).toString(8).padStart(4, '0');
      stderr.write(`cosched: warning: ${source} is readable by its group or others (mode ${octal}); a token is a password: chmod 600 ${tokenFile}\n`);
    }
  } else {
    if (env.COSCHED_TOKEN === undefined || env.COSCHED_TOKEN === '') return undefined;
    source = 'COSCHED_TOKEN';
    token = env.COSCHED_TOKEN.trim();
  }
  if (token === '') throw new UsageError(`${source}: no token in it`);
  if (!tokenPattern.test(token)) throw new UsageError(`${source}: not a token: expected 16 to 512 printable ASCII characters without spaces, as 'cosched token create' prints`);
  return token;
}
