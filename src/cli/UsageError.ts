/**
 * A bad command line (unknown flag, missing file argument, bad flag value). The CLI prints its
 * message with a pointer to `--help` and exits 2. Not a CoschedError: it never leaves the CLI.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
