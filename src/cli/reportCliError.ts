import { CoschedError } from '../../solver/errors/CoschedError.js';
import { exitCodes } from './exitCodes.js';
import { UsageError } from './UsageError.js';

/**
 * The CLI's one way out for errors: prints `error` to `stderr` and returns the exit code.
 * - UsageError: the message and a pointer to --help; 2.
 * - CoschedError INVALID_ARGUMENT or NOT_FOUND: the message (it lists every bad field with its
 *   path, the value received and what is allowed); 2. A file system "no such file" error is
 *   treated the same, naming the path. RESOURCE_EXHAUSTED (a server's size limit) too.
 * - CoschedError CANCELLED or DEADLINE_EXCEEDED (a server call that ended without a plan): the
 *   message; 3.
 * - CoschedError UNAUTHENTICATED or PERMISSION_DENIED (a server refused the credentials): the
 *   message and what to do; 4.
 * - Anything else: the message, and the stack when COSCHED_DEBUG=1; 1.
 */
export function reportCliError(error: unknown, stderr: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): number {
  if (error instanceof UsageError) {
    stderr.write(`cosched: ${error.message}\nRun 'cosched --help' for usage.\n`);
    return exitCodes.invalidInput;
  }
  if (error instanceof CoschedError && (error.code === 'INVALID_ARGUMENT' || error.code === 'NOT_FOUND' || error.code === 'RESOURCE_EXHAUSTED' || error.code === 'ALREADY_EXISTS' || error.code === 'FAILED_PRECONDITION')) {
    stderr.write(`cosched: ${error.message}\n`);
    return exitCodes.invalidInput;
  }
  if (error instanceof CoschedError && error.code === 'UNAUTHENTICATED') {
    stderr.write(`cosched: not authenticated: ${error.message}\n  Pass a token with --token-file FILE or the COSCHED_TOKEN variable ('cosched token create' makes one), or a client certificate with --tls-cert and --tls-key.\n`);
    return exitCodes.notAuthorized;
  }
  if (error instanceof CoschedError && error.code === 'PERMISSION_DENIED') {
    stderr.write(`cosched: permission denied: ${error.message}\n  The token or certificate is accepted, but its role may not do this: ask for one with a larger role.\n`);
    return exitCodes.notAuthorized;
  }
  if (error instanceof CoschedError && (error.code === 'CANCELLED' || error.code === 'DEADLINE_EXCEEDED')) {
    stderr.write(`cosched: ${error.message}\n`);
    return exitCodes.incomplete;
  }
  const systemError = error as NodeJS.ErrnoException | null;
  if (systemError?.code === 'ENOENT' && typeof systemError.path === 'string') {
    stderr.write(`cosched: file not found: ${systemError.path}\n`);
    return exitCodes.invalidInput;
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = env.COSCHED_DEBUG === '1' && error instanceof Error && error.stack ? `\n${error.stack}` : '\n(set COSCHED_DEBUG=1 for the stack trace)';
  stderr.write(`cosched: ${message}${stack}\n`);
  return exitCodes.internal;
}
