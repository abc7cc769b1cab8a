import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Logger } from 'pino';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { parseTokensFile, type CredentialTable } from './parseTokensFile.js';

/** How often the tokens file is polled for changes (ms): a change takes effect within about this long. */
export const tokensFilePollMs = 500;

/**
 * The credentials of a tokens file (parseTokensFile), kept current: the file is polled
 * (fs.watchFile, which survives editors' atomic renames) every `tokensFilePollMs`, and a changed
 * file replaces the table at once. A file that is broken on reload (bad YAML, a bad entry, gone,
 * unreadable) leaves the previous table in force and logs an error naming the problem; the next
 * good version is loaded as usual. Only counts and names are logged, never a hash or a token.
 */
export class TokensFileWatcher {
  private table: CredentialTable;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly logger: Logger,
    table: CredentialTable,
  ) {
    this.table = table;
    watchFile(path, { interval: tokensFilePollMs, persistent: false }, this.onChange);
  }

  /**
   * Loads `path` and starts watching it.
   *
   * @throws CoschedError INVALID_ARGUMENT (reason INVALID_TOKENS_FILE) naming the path and every
   *   problem when the file cannot be read or is broken.
   */
  static start(path: string, logger: Logger): TokensFileWatcher {
    const table = load(path);
    logger.info({ tokensFile: path, tokens: table.tokens.size, certificates: table.certificates.size }, 'tokens file loaded');
    return new TokensFileWatcher(path, logger, table);
  }

  /** The credentials in force. */
  current(): CredentialTable {
    return this.table;
  }

  /** Stops watching (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    unwatchFile(this.path, this.onChange);
  }

  /** Re-reads the file now (the poller calls this on every change). */
  reload(): void {
    try {
      this.table = load(this.path);
      this.logger.info({ tokensFile: this.path, tokens: this.table.tokens.size, certificates: this.table.certificates.size }, 'tokens file reloaded');
    } catch (error) {
      this.logger.error(
        { tokensFile: this.path, problem: (error as Error).message, tokens: this.table.tokens.size, certificates: this.table.certificates.size },
        'tokens file not reloaded: keeping the previous tokens',
      );
    }
  }

  private readonly onChange = (current: Stats, previous: Stats): void => {
    if (this.closed) return;
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    this.reload();
  };
}

function load(path: string): CredentialTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const description = `cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    throw new CoschedError('INVALID_ARGUMENT', `tokens file ${path}: ${description}`, { violations: [{ field: '(file)', description }], reason: 'INVALID_TOKENS_FILE' });
  }
  return parseTokensFile(text, path);
}
