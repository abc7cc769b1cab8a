/**
 * The first words of the standing-planner commands (`cosched jobs ...`, `cosched runs ...`).
 * main.ts routes a command line whose first word is one of them to runStandingCommand, before
 * parseCommandLine sees it. Kept apart so that main.ts imports nothing heavy for them.
 */
export const standingCommandNames = ['jobs', 'forecasts', 'runs', 'dispatch', 'progress'] as const;

/** True when `argv`'s command (its first argument that is not a flag) is a standing-planner command. */
export function isStandingCommandLine(argv: readonly string[]): boolean {
  const command = argv.find((arg) => !arg.startsWith('-'));
  return (standingCommandNames as readonly string[]).includes(command ?? '');
}
