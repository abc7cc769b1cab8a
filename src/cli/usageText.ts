/** The `cosched --help` text, including the exit codes. */
export function usageText(version: string): string {
  return `cosched ${version}: carbon-aware planning of AI training jobs across data-center sites (算电协同)

Usage:
  cosched plan FILE.yaml|FILE.json [--json] [--dump-lp OUT.lp] [--time-limit SECONDS] [--solver highs|jslp]
  cosched --help
  cosched --version

Commands:
  plan FILE              Read a PlanRequest (YAML or proto3 JSON), plan where and when each job
                         runs, and compare with the carbon-unaware baseline (every job at its
                         home site, first come first served).

Options:
  --json                 Print the PlanResponse as proto3 JSON instead of the text summary.
  --dump-lp OUT.lp       Also write the model (first stage) in CPLEX LP format to OUT.lp.
  --time-limit SECONDS   Solver wall-clock limit; overrides options.timeLimitSeconds in FILE.
  --solver highs|jslp    Solver engine; overrides options.solver in FILE.
  -h, --help             Show this help.
  -v, --version          Print the version.

Exit codes:
  0  planned: optimal, or the best plan found before the time limit
  1  internal error (set COSCHED_DEBUG=1 to print the stack trace)
  2  usage error, invalid request (every bad field is listed) or file not found
  3  no complete answer: no plan found in the time limit, cancelled (Ctrl-C) or solver
     failure; what there is is still printed

Example:
  cosched plan scenarios/two-hubs-48h.yaml
`;
}
