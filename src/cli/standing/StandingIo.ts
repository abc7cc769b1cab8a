import type { StandingPlanner } from '../../client/connectStandingPlanner.js';

/** What a standing-planner command may use besides its server: stderr for notes and progress, and Ctrl-C. */
export interface StandingIo {
  /** Warnings, notes and the live progress line go here (stdout is for the result only). */
  stderr: NodeJS.WriteStream;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

/** What a command prints on stdout, and its exit code (see exitCodes). */
export interface StandingResult {
  output: string;
  exitCode: number;
}

/** Runs one parsed command against a server. Throws CoschedError (fromGrpcError) or UsageError. */
export type StandingRunner<Command> = (planner: StandingPlanner, command: Command, io: StandingIo) => Promise<StandingResult>;
