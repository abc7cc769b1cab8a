/** The CLI's exit codes (listed in `--help`). */
export const exitCodes = {
  /** Planned: optimal, or the best plan found within the time limit. */
  ok: 0,
  /** An internal error (a bug or an environment problem). */
  internal: 1,
  /** A usage error, an invalid request, or a missing file. */
  invalidInput: 2,
  /** The result was printed, but the solve ended without a complete answer. */
  incomplete: 3,
  /** The server refused the credentials: UNAUTHENTICATED or PERMISSION_DENIED. */
  notAuthorized: 4,
} as const;
