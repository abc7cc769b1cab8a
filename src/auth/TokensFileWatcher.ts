import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { parseTokensFile, type CredentialTable } from './parseTokensFile.js';

/** How often the tokens file is polled for changes (ms): a change takes effect within about this long. */
export const tokensFilePollMs = 500;

/**
 * The credentials of a tokens file (parseTokensFile), kept current: every `tokensFilePollMs` the
 * file is read by its path (so an editor's atomic rename is seen too) and the SHA-256 of its
 * content compared with that of the version last seen; a different content replaces the table at
 * once. Comparing the content, not the modification time, size or inode, also catches a hash
 * replaced in place within the file system's time granularity. A file that is broken on reload
 * (bad YAML, a bad entry, gone, unreadable) leaves the previous table in force and logs an error
 * naming the problem, once per version; the next good version is loaded as usual. Every load (at
 * start and on reload) logs a warning naming the file and its mode when the group or others may
 * write it (mode & 0o022): whoever can write it can grant themselves admin. Only counts, names
 * and modes are logged, never a hash or a token.
 */
export class TokensFileWatcher {
  private table: CredentialTable;
  /** What the last read found: `sha256:<hex>` of the content, or `unreadable:<code>`. */
  private seen: string;
  private closed = false;
  private polling = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    private readonly logger: Logger,
    loaded: LoadedFile,
  ) {
    this.table = loaded.table;
    this.seen = loaded.digest;
    this.timer = setInterval(() => void this.poll(), tokensFilePollMs);
    this.timer.unref();
  }

  /**
   * Loads `path` and starts watching it.
   *
   * @throws CoschedError INVALID_ARGUMENT (reason INVALID_TOKENS_FILE) naming the path and every
   *   problem when the file cannot be read or is broken.
   */
  static start(path: string, logger: Logger): TokensFileWatcher {
    const loaded = load(path);
    warnIfWritableByOthers(path, loaded.mode, logger);
    logger.info({ tokensFile: path, tokens: loaded.table.tokens.size, certificates: loaded.table.certificates.size }, 'tokens file loaded');
    return new TokensFileWatcher(path, logger, loaded);
  }

  /** The credentials in force. */
  current(): CredentialTable {
    return this.table;
  }

  /** Stops watching (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
  }

  /** Re-reads the file now (the poller calls this when the content changed). */
  reload(): void {
    try {
      const loaded = load(this.path, (digest) => (this.seen = digest));
      this.table = loaded.table;
      warnIfWritableByOthers(this.path, loaded.mode, this.logger);
      this.logger.info({ tokensFile: this.path, tokens: this.table.tokens.size, certificates: this.table.certificates.size }, 'tokens file reloaded');
    } catch (error) {
      this.logger.error(
        { tokensFile: this.path, problem: (error as Error).message, tokens: this.table.tokens.size, certificates: this.table.certificates.size },
        'tokens file not reloaded: keeping the previous tokens',
      );
    }
  }

  /** Reads the file and reloads it when what it holds differs from what was seen last. */
  private async poll(): Promise<void> {
    if (this.closed || this.polling) return;
    this.polling = true;
    let found: string;
    try {
      found = digestOf(await readFile(this.path));
    } catch (error) {
      found = unreadable(error);
    } finally {
      this.polling = false;
    }
    if (!this.closed && found !== this.seen) this.reload();
  }
}

interface LoadedFile {
  table: CredentialTable;
  /** `sha256:<hex>` of the content the table was parsed from. */
  digest: string;
  /** The file's st_mode when it was read. */
  mode: number;
}

/**
 * Reads and parses `path`; `onRead` learns what was read (the content's digest, or
 * `unreadable:<code>`) before it is parsed, so a broken version is remembered too.
 */
function load(path: string, onRead?: (seen: string) => void): LoadedFile {
  let bytes: Buffer;
  let mode: number;
  try {
    const fd = openSync(path, 'r');
    try {
      mode = fstatSync(fd).mode;
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    onRead?.(unreadable(error));
    const description = `cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    throw new CoschedError('INVALID_ARGUMENT', `tokens file ${path}: ${description}`, { violations: [{ field: '(file)', description }], reason: 'INVALID_TOKENS_FILE' });
  }
  const digest = digestOf(bytes);
  onRead?.(digest);
  return { table: parseTokensFile(bytes.toString('utf8'), path), digest, mode };
}

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function unreadable(error: unknown): string {
  return `unreadable:${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
}

/** Logs a warning when the group or others may write the tokens file. */
function warnIfWritableByOthers(path: string, mode: number, logger: Logger): void {
  if ((mode & 0o022) === 0) return;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  logger.warn({ tokensFile: path, mode: octal }, `tokens file ${path} is writable by its group or others (mode ${octal}): whoever can write it can give themselves any role; chmod go-w it`);
}
