import { readFileSync } from 'node:fs';
import { tokenPattern } from '../auth/hashToken.js';
import { UsageError } from './UsageError.js';

/**
 * The bearer token a client command sends: the first line of `tokenFile` (surrounding white space
 * removed) when given, else COSCHED_TOKEN from `env` when set and not empty, else none. The token
 * itself never appears in an error message.
 *
 * @throws UsageError naming the file or variable when the file cannot be read, or the token is
 *   empty or not 16 to 512 printable ASCII characters without spaces.
 */
export function readClientToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let token: string;
  let source: string;
  if (tokenFile !== undefined) {
    source = `--token-file ${tokenFile}`;
    try {
      token = readFileSync(tokenFile, 'utf8').split(/\r?\n/).find((line) => line.trim() !== '')?.trim() ?? '';
    } catch (error) {
      throw new UsageError(`${source}: cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
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
