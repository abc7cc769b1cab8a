/** The `cosched --help` text, including the exit codes and the server's settings. */
export function usageText(version: string): string {
  return `cosched ${version}: carbon-aware planning of AI training jobs across data-center sites (算电协同)

Usage:
  cosched plan FILE.yaml|FILE.json [--json] [--dump-lp OUT.lp] [--time-limit SECONDS] [--solver highs|jslp]
               [--server HOST:PORT [--tls-ca CA.pem]] [--report DIR]
  cosched compare BASE.yaml (--variant NAME:OVERRIDE[,OVERRIDE...])... [--variants FILE]
                  [--json] [--report DIR] [--time-limit SECONDS]
  cosched frontier FILE [--points N] [--json] [--report DIR] [--time-limit SECONDS]
  cosched serve [--host HOST] [--port PORT] [--workers N] [--max-queued-plans N]
                [--max-message-bytes BYTES] [--max-cells CELLS] [--shutdown-grace-seconds S]
                [--deadline-margin-ms MS] [--log-level LEVEL] [--tls-cert CERT.pem --tls-key KEY.pem]
  cosched --help
  cosched --version

Commands:
  plan FILE              Read a PlanRequest (YAML or proto3 JSON), plan where and when each job
                         runs, and compare with the carbon-unaware baseline (every job at its
                         home site, first come first served).
  compare BASE           What-if: plan the base and each variant (structured overrides) in
                         parallel and print variants x metrics with differences to the base.
  frontier FILE          Sweep the weight of cost against carbon and print the Pareto points:
                         what each tonne saved costs.
  serve                  Serve cosched.v1.CoSchedulerService over gRPC (with grpc.health.v1 and
                         server reflection) until SIGTERM or SIGINT, then stop gracefully. Logs
                         JSON lines (pino) to stdout; the first says on which port it listens.

Options of plan:
  --json                 Print the PlanResponse as proto3 JSON instead of the text summary.
  --dump-lp OUT.lp       Also write the model (first stage) in CPLEX LP format to OUT.lp.
  --time-limit SECONDS   Solver wall-clock limit; overrides options.timeLimitSeconds in FILE.
  --solver highs|jslp    Solver engine; overrides options.solver in FILE.
  --server HOST:PORT     Plan on a running cosched server instead of here; same output.
  --tls-ca CA.pem        With --server: connect with TLS, trusting this CA certificate.
  --report DIR           Also write an HTML report with SVG charts into DIR (compare, frontier too).

Options of compare and frontier:
  --variant NAME:OVERRIDES  A variant in the compact syntax; repeat for more. Overrides, comma-separated:
                         green[(SITE)]*=F | +=MW | -=MW     scale or add green supply
                         remove(SITE)                       remove a site
                         capacity[(SITE)]=N | *=F           set or scale GPU capacity
                         deadlines[(JOBS)]+=12h | -=1d | *=F  shift or scale deadlines
                         interruptible[(JOBS)]=true|false   make jobs interruptible or not
                         restrict[(JOBS)]=SITE|SITE         restrict allowed sites
                         carbonPrice=P                      objective = cost + P x tonnes CO2
                         forecasts=PATH                     replace forecasts from a file
                         JOBS: job=ID|ID and/or home=SITE|SITE. Quote the argument in a shell.
  --variants FILE        Variant messages (proto/cosched/v1/what_if.proto) in YAML or JSON.
  --points N             frontier: the most plans to solve, 2..100 (default 8).

Options of serve (each also read from the environment variable shown; the flag wins):
  --host HOST                    COSCHED_HOST                    default 127.0.0.1
  --port PORT                    COSCHED_PORT                    default 50051 (0: any free port)
  --workers N                    COSCHED_WORKERS                 plan worker threads; default: the cores
  --max-queued-plans N           COSCHED_MAX_QUEUED_PLANS        default 64; beyond: RESOURCE_EXHAUSTED
  --max-message-bytes BYTES      COSCHED_MAX_MESSAGE_BYTES       default 67108864 (64 MiB)
  --max-cells CELLS              COSCHED_MAX_CELLS               hours x sites x jobs; default 20000000
  --shutdown-grace-seconds S     COSCHED_SHUTDOWN_GRACE_SECONDS  default 30
  --deadline-margin-ms MS        COSCHED_DEADLINE_MARGIN_MS      solver limit = call deadline minus
                                                                 max(MS, 10%); default 1000
  --log-level LEVEL              COSCHED_LOG_LEVEL               fatal|error|warn|info|debug|trace|silent;
                                                                 default info
  --tls-cert CERT.pem            COSCHED_TLS_CERT                with --tls-key: serve TLS
  --tls-key KEY.pem              COSCHED_TLS_KEY                 (neither: plaintext)

Common options:
  -h, --help             Show this help.
  -v, --version          Print the version.

Exit codes:
  0  planned: optimal, or the best plan found before the time limit (serve: stopped cleanly)
  1  internal error, or no server at --server (set COSCHED_DEBUG=1 to print the stack trace)
  2  usage error, invalid request (every bad field is listed), file not found, or a request
     over the server's size limits
  3  no complete answer: no plan found in the time limit, cancelled (Ctrl-C), a server call
     cancelled or past its deadline, or solver failure; what there is is still printed

Examples:
  cosched plan scenarios/two-hubs-48h.yaml
  cosched serve --port 50051 &
  cosched plan scenarios/two-hubs-48h.yaml --server 127.0.0.1:50051
  cosched compare scenarios/china-hubs.yaml --variant 'relaxed:deadlines+=12h' --variant 'price100:carbonPrice=100' --report out/
  cosched frontier scenarios/two-hubs-48h.yaml --report out/frontier
`;
}
