/** The `cosched --help` text, including the exit codes and the server's settings. */
export function usageText(version: string): string {
  return `cosched ${version}: carbon-aware planning of AI training jobs across data-center sites (算电协同)

Usage:
  cosched plan FILE.yaml|FILE.json [--json] [--dump-lp OUT.lp] [--time-limit SECONDS] [--solver highs|jslp]
               [--explain] [--integer-gpus] [--server HOST:PORT [--tls-ca CA.pem] [--tls-cert CERT.pem --tls-key KEY.pem]
               [--token-file FILE]] [--report DIR]
  cosched compare BASE.yaml (--variant NAME:OVERRIDE[,OVERRIDE...])... [--variants FILE]
                  [--json] [--report DIR] [--time-limit SECONDS]
  cosched frontier FILE [--points N] [--json] [--report DIR] [--time-limit SECONDS]
  cosched evaluate PLAN.json --actuals FILE [--planned FILE] [--json] [--report DIR |
                   --server HOST:PORT [--tls-ca CA.pem] [--tls-cert CERT.pem --tls-key KEY.pem]
                   [--token-file FILE]]
  cosched serve [--host HOST] [--port PORT] [--workers N] [--max-queued-plans N]
                [--max-message-bytes BYTES] [--max-cells CELLS] [--worker-heap-mb MB]
                [--max-model-size N] [--max-response-bytes BYTES] [--max-requests-per-second N]
                [--request-burst N] [--max-plans-in-flight-per-client N] [--max-connections N]
                [--max-connections-per-ip N] [--connection-idle-seconds S] [--max-streams-per-connection N]
                [--first-request-timeout-seconds S] [--shutdown-grace-seconds S]
                [--deadline-margin-ms MS] [--log-level LEVEL] [--tls-cert CERT.pem --tls-key KEY.pem]
                [--tokens-file FILE [--tls-client-ca CA.pem] [--health-reflection open|closed]]
                [--data-dir DIR | --store postgres://...] [--nightly CRON [--nightly-tz ZONE]]
                [--run-lease-seconds S]
                [--queue redis://HOST:PORT [--queue-name NAME]] [--metrics-port PORT]
                [--otlp-endpoint URL]
  cosched token create --name NAME --role planner|admin --tokens-file FILE [--out TOKEN_FILE]
  cosched worker --queue redis://HOST:PORT [--queue-name NAME] [--workers N] [--worker-heap-mb MB] [--log-level LEVEL]
                 [--shutdown-grace-seconds S] [--lock-duration-ms MS] [--stalled-interval-ms MS]
                 [--max-stalled-count N] [--otlp-endpoint URL]
  cosched jobs submit FILE [--request-id ID]
  cosched jobs list [--state STATE[,STATE...]] [--all-pages]
  cosched jobs get NAME | jobs cancel NAME [--reason TEXT] | jobs delete NAME
  cosched forecasts put FILE [--request-id ID]
  cosched forecasts import FILE --site SITE [--format auto|electricity-maps|watttime] [--from ISO]
                           [--hours N] [--green-supply-mw MW] [--gpu-capacity N] [--pue X]
                           [--signal intensity|marginal]
  cosched forecasts list [--site SITE] [--latest] [--all-pages]
  cosched runs start [--now ISO] [--horizon-hours N] [--time-limit SECONDS] [--request-id ID]
                     [--wait [--cancel-on-interrupt]]
  cosched runs list [--state STATE[,STATE...]] [--all-pages]
  cosched runs get NAME [--input] | runs cancel NAME
  cosched dispatch SITE [--hour ISO]
  cosched progress report FILE [--request-id ID]
  cosched --help
  cosched --version

Commands:
  plan FILE              Read a PlanRequest (YAML or proto3 JSON), plan where and when each job
                         runs, and compare with the carbon-unaware baseline (every job at its
                         home site, first come first served). Reports location-based emissions,
                         marginal emissions (when sites give marginalIntensityGPerKwh, e.g.
                         WattTime MOER), the hourly 24/7 CFE score and annual matching, for the
                         plan and the baseline side by side. With links (links: from, to,
                         bandwidthGbps) and job data (datasetGb, dataSite), a job runs away
                         from its data only after the data has been sent there; each job's
                         transfers are listed under it (⇢ from -> to, when, GB).
  compare BASE           What-if: plan the base and each variant (structured overrides) in
                         parallel and print variants x metrics with differences to the base.
  frontier FILE          Sweep the weight of cost against carbon and print the Pareto points:
                         what each tonne saved costs.
  evaluate PLAN.json     Judge a fixed plan (what 'plan FILE --json' printed) on what happened:
                         its allocations, unchanged, and the baseline accounted on --actuals FILE
                         (a PlanRequest of the realised data: the same sites and jobs); prints
                         planned against realised emissions and carbon saved, and what the plan
                         breaks under the actuals (grid limits, capacities, windows...), which is
                         an answer, not an error (exit 0). Nothing is re-planned.
  serve                  Serve cosched.v1.CoSchedulerService, the standing planner
                         (cosched.v1.StandingPlannerService, google.longrunning.Operations)
                         over gRPC (with grpc.health.v1 and server reflection) until SIGTERM or
                         SIGINT, then stop gracefully. Logs
                         JSON lines (pino) to stdout; the first says on which port it listens.
                         With --queue, every plan runs on 'cosched worker' processes instead.
  worker                 Take plans from the queue in Redis (BullMQ) and run them, one per thread,
                         until SIGTERM or SIGINT; then finish or give back the running plans.
                         Stateless: run as many as you like, on any machines.
  token create           Make a new random token, add its hash with --name and --role to the
                         tokens file (created if missing) and print the token once on stdout,
                         or with --out write it to TOKEN_FILE (new, mode 0600; never overwritten).

Standing planner (against a running server; each command takes --server, --tls-ca, --tls-cert,
--tls-key, --token-file, --json):
  jobs submit FILE       Add the jobs of FILE (a scenario, or any PlanRequest file: only its jobs
                         are used) to the server's backlog, all or none.
  jobs list              The backlog: state, done/total and planned GPU-hours, plan run, reason.
  jobs get NAME          One job (jobs/ID or ID) with its planned allocations.
  jobs delete NAME       Delete a job that never ran (one with progress: cancel it instead).
  jobs cancel NAME       Cancel a job: no later run plans it.
  forecasts put FILE     Put each site of a scenario as that site's next forecast version, from
                         horizon.start.
  forecasts import FILE  Put a site's next forecast from an Electricity Maps or WattTime CSV (or a
                         .zip of one), on top of its latest forecast (facts, green supply, price).
  forecasts list         Forecast versions, newest first.
  runs start             Start a plan run over the open backlog with each site's latest forecast;
                         prints the operation name (operations/run-...).
  runs list | get | cancel
                         Plan runs, newest first; one run's summary; cancel a run.
  dispatch SITE          What the plan in force runs at SITE in an hour: jobs and GPUs.
  progress report FILE   Report what ran (YAML/JSON: records: [{job, siteId, start, hours, gpus,
                         finished}]); jobs become RUNNING, or DONE.

Options of plan:
  --json                 Print the PlanResponse as proto3 JSON instead of the text summary.
  --dump-lp OUT.lp       Also write the model (first stage) in CPLEX LP format to OUT.lp.
  --time-limit SECONDS   Solver wall-clock limit; overrides options.timeLimitSeconds in FILE.
  --solver highs|jslp    Solver engine; overrides options.solver in FILE.
  --explain              Also show "the binding hours": what one more GPU or MWh of green supply
                         at a site-hour, or one more hour for a job's deadline, would save
                         (shadow prices from the duals; sets options.explain). Free for an LP, one
                         more LP solve for a MILP; not available with jslp.
  --integer-gpus         Executable schedules (a MILP): whole GPUs, one site per job-hour unless a
                         job sets splitSites; sets options.integerGpus in FILE. Jobs' own
                         checkpointMinutes price restarts and moves (README, "Executable schedules").
  --server HOST:PORT     Plan on a running cosched server instead of here; same output.
  --tls-ca CA.pem        With --server: connect with TLS, trusting this CA certificate.
  --tls-cert CERT.pem, --tls-key KEY.pem
                         With --server: present this client certificate (a server with
                         --tls-client-ca); TLS, trusting --tls-ca or the system's CAs.
  --token-file FILE      With --server: send the token in FILE (first line) as 'authorization:
                         Bearer TOKEN'; without it, the COSCHED_TOKEN variable if set.
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

Options of evaluate:
  --actuals FILE         The realised data (required): a PlanRequest in YAML or proto3 JSON, or with
                         --planned a forecasts file ({"sites": [{"siteId": ..., "carbonIntensityGPerKwh":
                         [...]}]}, as forecasts=PATH reads it) applied on top of the planned request.
  --planned FILE         The PlanRequest the plan was made on: the planned figures are recomputed
                         on it (and checked) instead of copied from the plan file.
  --json                 Print the EvaluatePlanResponse as proto3 JSON instead of text.
  --report DIR           Also write the HTML report (charts and tables of the plan and the
                         baseline on the actuals, violations listed); not with --server.
  --server HOST:PORT     Judge on a cosched server (EvaluatePlan); --tls-ca, --tls-cert,
                         --tls-key and --token-file as for plan.

Options of the standing-planner commands:
  --server HOST:PORT     The server; default: COSCHED_SERVER, else 127.0.0.1:50051.
  --tls-ca CA.pem        Connect with TLS, trusting this CA certificate.
  --tls-cert CERT.pem, --tls-key KEY.pem
                         Present this client certificate (mTLS).
  --token-file FILE      Send the token in FILE; default: the COSCHED_TOKEN variable, if set.
  --json                 Print the response as proto3 JSON (runs: the Operation, its metadata and
                         response unpacked, "@type" naming them) instead of text.
  --request-id ID        Idempotency key of a create (default: a random UUID); the same ID and
                         request again returns the first answer.
  --state S[,S...]       jobs: PENDING, PLANNED, RUNNING, DONE, CANCELLED, MISSED;
                         runs: QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, MISSED.
  --all-pages            List every page (default: the first 100).
  --now ISO              runs start: the run's clock (default: the server's); the plan starts at
                         the whole hour at or before it.
  --horizon-hours N      runs start: the most hours to plan (default: as far as forecasts reach).
  --time-limit SECONDS   runs start: the solver's wall-clock limit.
  --wait                 runs start: wait for the run (live progress on a terminal) and print its
                         summary; exit 0 when it SUCCEEDED, 3 when it FAILED or was CANCELLED.
                         Ctrl-C stops the wait only; the run goes on on the server.
  --cancel-on-interrupt  runs start --wait: Ctrl-C cancels the run too.
  --input                runs get: print the PlanRequest the run solved (proto3 JSON); 'cosched
                         plan' on it reproduces the run.
  --hour ISO             dispatch: any instant in the hour (default: the hour under way).
  --site SITE            forecasts import: the site (required); forecasts list: only this site.
  --latest               forecasts list: only each site's latest version.
  --format F             forecasts import: the file's format (default auto: from its header).
  --from ISO, --hours N  forecasts import: cut the series to these hours (default: all of it).
  --green-supply-mw MW   forecasts import: green supply for hours the latest forecast does not cover.
  --signal S             forecasts import: intensity (default: the series is the grid's carbon
                         intensity) or marginal (a WattTime MOER becomes the marginal signal, beside
                         the latest forecast's carbon intensity, which must cover every hour).
  --gpu-capacity N, --pue X
                         forecasts import: the site's facts (required when it has no forecast yet).

Options of serve (each also read from the environment variable shown; the flag wins):
  --host HOST                    COSCHED_HOST                    default 127.0.0.1
  --port PORT                    COSCHED_PORT                    default 50051 (0: any free port)
  --workers N                    COSCHED_WORKERS                 plan worker threads; default: the cores
  --max-queued-plans N           COSCHED_MAX_QUEUED_PLANS        default 64; beyond: RESOURCE_EXHAUSTED
  --max-message-bytes BYTES      COSCHED_MAX_MESSAGE_BYTES       default 67108864 (64 MiB)
  --max-cells CELLS              COSCHED_MAX_CELLS               hours x sites x jobs; default 20000000
  --max-model-size N             COSCHED_MAX_MODEL_SIZE          a plan's model, variables + constraints counted
                                                                 from the windows; default 1500000
  --max-response-bytes BYTES     COSCHED_MAX_RESPONSE_BYTES      a PlanResponse; default 4194304 (4 MiB)
  --max-requests-per-second N    COSCHED_MAX_REQUESTS_PER_SECOND per client (its cosched-client identity, else
                                                                 its IP); default 200; 0: unlimited
  --request-burst N              COSCHED_REQUEST_BURST           calls at once above that rate; default 400
  --max-plans-in-flight-per-client N
                                 COSCHED_MAX_PLANS_IN_FLIGHT_PER_CLIENT
                                                                 default 32; 0: unlimited
  --max-connections N            COSCHED_MAX_CONNECTIONS         open at once; default 1024
  --max-connections-per-ip N     COSCHED_MAX_CONNECTIONS_PER_IP  open at once from one IP; default 256
  --connection-idle-seconds S    COSCHED_CONNECTION_IDLE_SECONDS close a connection without calls; default 300
  --max-streams-per-connection N COSCHED_MAX_STREAMS_PER_CONNECTION calls open at once on one connection;
                                                                 default 100
  --first-request-timeout-seconds S
                                 COSCHED_FIRST_REQUEST_TIMEOUT_SECONDS
                                                                 close a connection with no call S after it
                                                                 opened (handshake or silence); default 10
  --worker-heap-mb MB            COSCHED_WORKER_HEAP_MB          each plan worker's JS heap cap; default 2048;
                                                                 beyond: RESOURCE_EXHAUSTED (HiGHS memory not counted)
  --shutdown-grace-seconds S     COSCHED_SHUTDOWN_GRACE_SECONDS  default 30
  --deadline-margin-ms MS        COSCHED_DEADLINE_MARGIN_MS      solver limit = call deadline minus
                                                                 max(MS, 10%); default 1000
  --log-level LEVEL              COSCHED_LOG_LEVEL               fatal|error|warn|info|debug|trace|silent;
                                                                 default info
  --tls-cert CERT.pem            COSCHED_TLS_CERT                with --tls-key: serve TLS
  --tls-key KEY.pem              COSCHED_TLS_KEY                 (neither: plaintext)
  --tokens-file FILE             COSCHED_TOKENS_FILE             tokens (hashed) and certificate CNs with
                                                                 their roles (planner, admin); every call
                                                                 needs one; reloaded on change. Default:
                                                                 none, no authentication
  --tls-client-ca CA.pem         COSCHED_TLS_CLIENT_CA           with TLS and --tokens-file: require client
                                                                 certificates signed by this CA (mTLS)
  --health-reflection open|closed COSCHED_HEALTH_REFLECTION      closed: health and reflection need a valid
                                                                 token or certificate too; default open
  --data-dir DIR                 COSCHED_DATA_DIR                the standing planner's SQLite file;
                                                                 default ./cosched-data (one server per dir)
  --store postgres://...         COSCHED_STORE                   keep it in PostgreSQL instead (replicas
                                                                 share it; ?schema=NAME for a schema)
  --nightly CRON                 COSCHED_NIGHTLY                 start a plan run at these local times,
                                                                 e.g. "0 2 * * *" (02:00 every day)
  --nightly-tz ZONE              COSCHED_NIGHTLY_TZ              IANA zone of --nightly; default UTC
  --run-lease-seconds S          COSCHED_RUN_LEASE_SECONDS       a plan run's lease; a stopped server's runs
                                                                 are failed after it; default 30
  --queue URL                    COSCHED_QUEUE                   redis://HOST:PORT[/DB] or rediss://: plan on
                                                                 'cosched worker' processes through this
                                                                 queue (replicas may share it); default:
                                                                 the server's own threads
  --queue-name NAME              COSCHED_QUEUE_NAME              default cosched-plans
  --metrics-port PORT            COSCHED_METRICS_PORT            serve Prometheus metrics at
                                                                 http://HOST:PORT/metrics (0: any free port)
  --otlp-endpoint URL            COSCHED_OTLP_ENDPOINT           send traces over OTLP/HTTP to URL/v1/traces,
                                                                 e.g. http://127.0.0.1:4318 (also read:
                                                                 OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, used as
                                                                 is, and OTEL_EXPORTER_OTLP_ENDPOINT); unset:
                                                                 no tracing

Options of worker (each also read from the environment variable shown; the flag wins):
  --queue URL                    COSCHED_QUEUE                   required: the servers' --queue
  --queue-name NAME              COSCHED_QUEUE_NAME              default cosched-plans
  --workers N                    COSCHED_WORKERS                 plan threads (plans at once); default: the cores
  --worker-heap-mb MB            COSCHED_WORKER_HEAP_MB          each plan thread's JS heap cap; default 2048
  --log-level LEVEL              COSCHED_LOG_LEVEL               default info
  --shutdown-grace-seconds S     COSCHED_SHUTDOWN_GRACE_SECONDS  running plans may finish for S, then are
                                                                 given back to the queue; default 20
  --lock-duration-ms MS          COSCHED_QUEUE_LOCK_DURATION_MS  a plan whose worker died goes to another
  --stalled-interval-ms MS       COSCHED_QUEUE_STALLED_INTERVAL_MS  after about lock + interval;
                                                                 defaults 30000 and 15000
  --max-stalled-count N          COSCHED_QUEUE_MAX_STALLED_COUNT times a plan may lose its worker before
                                                                 it fails (INTERNAL); default 1
  --metrics-port PORT            COSCHED_METRICS_PORT            serve Prometheus metrics on this port
  --metrics-host HOST            COSCHED_METRICS_HOST            default 0.0.0.0
  --otlp-endpoint URL            COSCHED_OTLP_ENDPOINT           as for serve

Common options:
  -h, --help             Show this help.
  -v, --version          Print the version.

Exit codes:
  0  planned: optimal, or the best plan found before the time limit (serve: stopped cleanly)
  1  internal error, or no server at --server (set COSCHED_DEBUG=1 to print the stack trace)
  2  usage error, invalid request (every bad field is listed), file not found, or a request
     over the server's size limits; standing planner: a job or run that exists already, is
     unknown, or is in the wrong state
  3  no complete answer: no plan found in the time limit, cancelled (Ctrl-C), a server call
     cancelled or past its deadline, or solver failure; what there is is still printed
     (runs start --wait: the run FAILED or was CANCELLED, or the wait was interrupted)
  4  the server refused the credentials: no token or one it does not accept (UNAUTHENTICATED),
     or a role too small for the call (PERMISSION_DENIED)

Examples:
  cosched plan scenarios/two-hubs-48h.yaml
  cosched serve --port 50051 &
  cosched plan scenarios/two-hubs-48h.yaml --server 127.0.0.1:50051
  cosched serve --queue redis://127.0.0.1:6379 & cosched worker --queue redis://127.0.0.1:6379 &
  cosched compare scenarios/china-hubs.yaml --variant 'relaxed:deadlines+=12h' --variant 'price100:carbonPrice=100' --report out/
  cosched frontier scenarios/two-hubs-48h.yaml --report out/frontier
  cosched jobs submit scenarios/two-hubs-48h.yaml --server 127.0.0.1:50051
  cosched forecasts put scenarios/two-hubs-48h.yaml
  cosched runs start --now 2026-07-01T00:00:00Z --wait
  cosched dispatch guian --hour 2026-07-01T05:00:00Z
`;
}
