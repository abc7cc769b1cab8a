import { availableParallelism } from 'node:os';

/** How a cosched server runs: where it listens, its pool and its limits. */
export interface ServerConfig {
  /** Interface to listen on. Default 127.0.0.1 (use 0.0.0.0 in a container). */
  host: string;
  /** TCP port; 0 picks a free one (the start log line says which). Default 50051. */
  port: number;
  /** Plan worker threads. Default: os.availableParallelism(). Unused with `queue` (the workers have the threads). */
  workers: number;
  /** Plans (of this server) that may wait for a worker before calls get RESOURCE_EXHAUSTED. Default 64. */
  maxQueuedPlans: number;
  /**
   * A Redis URL (`redis://HOST:PORT[/DB]`, or `rediss://` for TLS): every plan goes to `cosched
   * worker` processes through a BullMQ queue there (QueuePlanExecutor), and the server starts no
   * plan threads of its own. Replicas may share it. Unset: plans run on the server's own threads.
   */
  queue?: string;
  /** With `queue`: the queue's name, as the workers have it. Default cosched-plans. */
  queueName?: string;
  /** Largest request message accepted (grpc.max_receive_message_length). Default 64 MiB. */
  maxMessageBytes: number;
  /** Largest plan accepted, as hours × sites × jobs. Default 20,000,000. */
  maxCells: number;
  /**
   * Largest plan model accepted, as variables + constraints counted from the jobs' windows and
   * allowed sites before solving (planModelSize). Default 1,500,000: measured, a worker's HiGHS
   * aborts out of memory on a 2.2M model. RESOURCE_EXHAUSTED PLAN_TOO_COSTLY beyond.
   */
  maxModelSize: number;
  /**
   * Largest PlanResponse sent, in bytes, checked before solving (a lower bound) and before building
   * it (an estimate). Default 4 MiB, the receive limit of a gRPC client with default settings
   * (grpc-js, grpcio). RESOURCE_EXHAUSTED RESPONSE_TOO_LARGE beyond.
   */
  maxResponseBytes: number;
  /** Sustained calls per second per client (token bucket; health and reflection not counted); 0 = unlimited. Default 200. */
  requestsPerSecondPerClient: number;
  /** Calls one client may make at once above the sustained rate (the bucket size). Default 400. */
  requestBurstPerClient: number;
  /** Plans (Plan, WatchPlan, CompareScenarios, SweepFrontier, StartPlanRun) one client may have in flight; 0 = unlimited. Default 32. */
  maxPlansInFlightPerClient: number;
  /** Open connections at once; more are closed on arrival. Default 1,024. */
  maxConnections: number;
  /** Open connections at once from one IP address; more are closed on arrival. Default 256. */
  maxConnectionsPerIp: number;
  /** Calls open at once on one connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS; grpc.max_concurrent_streams). Default 100. */
  maxStreamsPerConnection: number;
  /** A connection without calls this long is closed (GOAWAY; grpc.max_connection_idle_ms). Default 300 s. */
  connectionIdleMs: number;
  /** A connection that has started no call this long after it was accepted (handshake unfinished, or silent) is closed. Default 10 s. */
  firstRequestTimeoutMs: number;
  /**
   * Each plan worker thread's V8 heap cap, MB (worker resourceLimits.maxOldGenerationSizeMb): a
   * plan over it fails RESOURCE_EXHAUSTED (PLAN_MEMORY_LIMIT) and the worker is replaced. HiGHS's
   * WebAssembly memory is not counted (HiGHS caps it at 2 GiB per worker). Default 2048.
   */
  workerHeapMb: number;
  /** On SIGTERM/SIGINT, how long calls in flight may take to finish before they are cut. Default 30 s. */
  shutdownGraceMs: number;
  /**
   * The least time kept between the solver's time limit and a call's deadline, for building the
   * response (the margin is 10% of the remaining time when that is more). Default 1_000 ms.
   */
  deadlineMarginMs: number;
  /** PEM files; with both the server speaks TLS, without them plaintext. */
  tls?: { certPath: string; keyPath: string };
  /**
   * A tokens file (parseTokensFile; README "Security"): bearer tokens (hashed) and client
   * certificate CNs with their roles, reloaded when it changes. Every call then needs credentials
   * (health and reflection only with `closeHealthAndReflection`). Unset: no authentication.
   */
  tokensFile?: string;
  /**
   * With `tls` and `tokensFile`: a PEM CA certificate; clients must present a certificate it
   * signed (mTLS), and a certificate's subject CN gets its role from the tokens file.
   */
  tlsClientCaPath?: string;
  /** True: health and reflection need a valid token or certificate too. Default: open to anyone. */
  closeHealthAndReflection?: boolean;
  /**
   * The standing planner's store: a `postgres://` URL (replicas share it), or unset for the
   * embedded SQLite file in `dataDir`.
   */
  store?: string;
  /** Where the embedded SQLite store keeps its file (one server per directory). Default ./cosched-data. */
  dataDir: string;
  /** Start a plan run at these local times every day (cron, IANA zone). Unset: no nightly runs. */
  nightly?: { cron: string; timeZone: string };
  /** Serve Prometheus metrics at http://HOST:PORT/metrics (the gRPC host). Unset: no metrics endpoint. */
  metricsPort?: number;
  /** How long a plan run's lease holds without renewal (a stopped server's runs are failed after it). Default 30 s. */
  runLeaseMs: number;
}

/** The defaults of ServerConfig (see each field). */
export function defaultServerConfig(): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 50_051,
    workers: availableParallelism(),
    maxQueuedPlans: 64,
    maxMessageBytes: 64 * 1024 * 1024,
    maxCells: 20_000_000,
    workerHeapMb: 2_048,
    maxModelSize: 1_500_000,
    maxResponseBytes: 4 * 1024 * 1024,
    requestsPerSecondPerClient: 200,
    requestBurstPerClient: 400,
    maxPlansInFlightPerClient: 32,
    maxConnections: 1_024,
    maxConnectionsPerIp: 256,
    connectionIdleMs: 300_000,
    maxStreamsPerConnection: 100,
    firstRequestTimeoutMs: 10_000,
    shutdownGraceMs: 30_000,
    deadlineMarginMs: 1_000,
    dataDir: './cosched-data',
    runLeaseMs: 30_000,
  };
}
