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
    shutdownGraceMs: 30_000,
    deadlineMarginMs: 1_000,
    dataDir: './cosched-data',
    runLeaseMs: 30_000,
  };
}
