import { connectivityState, type Client } from '@grpc/grpc-js';
import {
  StandingPlannerServiceClient,
  type BacklogJob,
  type BatchCreateJobsRequest,
  type BatchCreateJobsResponse,
  type BatchCreateSiteForecastsRequest,
  type BatchCreateSiteForecastsResponse,
  type CancelJobRequest,
  type CreateSiteForecastRequest,
  type Dispatch,
  type GetDispatchRequest,
  type ListJobsRequest,
  type ListJobsResponse,
  type ListSiteForecastsRequest,
  type ListSiteForecastsResponse,
  type PlanRunInput,
  type ReportProgressRequest,
  type ReportProgressResponse,
  type SiteForecast,
  type StartPlanRunRequest,
} from '../generated/cosched/v1/standing_planner_service.js';
import { OperationsClient, type ListOperationsRequest, type ListOperationsResponse, type Operation } from '../generated/google/longrunning/operations.js';
import { callUnary, type UnaryInvoker } from './callUnary.js';
import { tokenClientOptions } from './bearerTokenInterceptor.js';
import { channelCredentials } from './channelCredentials.js';
import type { ServerConnection } from './planOnServer.js';

/** Deadline of every call but WaitOperation (ms). */
export const callDeadlineMs = 60_000;
/** How much longer than its own `timeout` a WaitOperation call may take before it is cut (ms). */
const waitSlackMs = 10_000;

/**
 * The standing planner of one server, as promises: one method per RPC of
 * cosched.v1.StandingPlannerService and google.longrunning.Operations that the CLI uses. Every
 * method rejects with the CoschedError of fromGrpcError (the client's one translation point);
 * reads and writes carrying a request_id are retried on UNAVAILABLE once the server was reached
 * (see callUnary). `signal` aborts the call in flight.
 */
export interface StandingPlanner {
  /** HOST:PORT. */
  readonly address: string;
  batchCreateJobs(request: BatchCreateJobsRequest): Promise<BatchCreateJobsResponse>;
  getJob(name: string): Promise<BacklogJob>;
  listJobs(request: ListJobsRequest): Promise<ListJobsResponse>;
  cancelJob(request: CancelJobRequest): Promise<BacklogJob>;
  deleteJob(name: string): Promise<void>;
  createSiteForecast(request: CreateSiteForecastRequest): Promise<SiteForecast>;
  batchCreateSiteForecasts(request: BatchCreateSiteForecastsRequest): Promise<BatchCreateSiteForecastsResponse>;
  getSiteForecast(name: string): Promise<SiteForecast>;
  listSiteForecasts(request: ListSiteForecastsRequest): Promise<ListSiteForecastsResponse>;
  startPlanRun(request: StartPlanRunRequest): Promise<Operation>;
  getPlanRunInput(name: string): Promise<PlanRunInput>;
  getDispatch(request: GetDispatchRequest): Promise<Dispatch>;
  reportProgress(request: ReportProgressRequest): Promise<ReportProgressResponse>;
  getOperation(name: string): Promise<Operation>;
  listOperations(request: ListOperationsRequest): Promise<ListOperationsResponse>;
  /** WaitOperation for at most `timeoutMs`: the operation when done, else its latest state. */
  waitOperation(name: string, timeoutMs: number, signal?: AbortSignal): Promise<Operation>;
  cancelOperation(name: string): Promise<void>;
  /** Closes both clients; calls in flight are cut. */
  close(): void;
}

/**
 * Opens clients of StandingPlannerService and Operations on one channel to `connection.address`
 * (TLS when `connection.tlsCaPath` or a client certificate is given; `connection.token`, if any,
 * goes with every call). Nothing is sent until the first call; responses of
 * any size are accepted.
 *
 * @throws Error when the CA file cannot be read.
 */
export function connectStandingPlanner(connection: ServerConnection): StandingPlanner {
  const { address } = connection;
  const planner = new StandingPlannerServiceClient(address, channelCredentials(connection), { 'grpc.max_receive_message_length': -1, ...tokenClientOptions(connection.token) });
  // The Operations client shares the planner's channel: one connection for both services.
  const operations = new OperationsClient(address, channelCredentials(connection), { channelOverride: planner.getChannel(), ...tokenClientOptions(connection.token) });
  const wasConnected = watchEverReady(planner);
  const call = <Response>(invoke: UnaryInvoker<Response>, idempotent = true, deadlineMs = callDeadlineMs, signal?: AbortSignal) =>
    callUnary(invoke, address, { deadlineMs, idempotent, wasConnected, signal });

  return {
    address,
    batchCreateJobs: (request) => call((md, options, done) => planner.batchCreateJobs(request, md, options, done), request.requestId !== ''),
    getJob: (name) => call((md, options, done) => planner.getJob({ name }, md, options, done)),
    listJobs: (request) => call((md, options, done) => planner.listJobs(request, md, options, done)),
    // Cancelling a cancelled job returns it unchanged: safe to repeat.
    cancelJob: (request) => call((md, options, done) => planner.cancelJob(request, md, options, done)),
    deleteJob: async (name) => void (await call((md, options, done) => planner.deleteJob({ name }, md, options, done))),
    createSiteForecast: (request) => call((md, options, done) => planner.createSiteForecast(request, md, options, done), request.requestId !== ''),
    batchCreateSiteForecasts: (request) => call((md, options, done) => planner.batchCreateSiteForecasts(request, md, options, done), request.requestId !== ''),
    getSiteForecast: (name) => call((md, options, done) => planner.getSiteForecast({ name }, md, options, done)),
    listSiteForecasts: (request) => call((md, options, done) => planner.listSiteForecasts(request, md, options, done)),
    startPlanRun: (request) => call((md, options, done) => planner.startPlanRun(request, md, options, done), request.requestId !== ''),
    getPlanRunInput: (name) => call((md, options, done) => planner.getPlanRunInput({ name }, md, options, done)),
    getDispatch: (request) => call((md, options, done) => planner.getDispatch(request, md, options, done)),
    reportProgress: (request) => call((md, options, done) => planner.reportProgress(request, md, options, done), request.requestId !== ''),
    getOperation: (name) => call((md, options, done) => operations.getOperation({ name }, md, options, done)),
    listOperations: (request) => call((md, options, done) => operations.listOperations(request, md, options, done)),
    waitOperation: (name, timeoutMs, signal) => {
      const seconds = Math.floor(timeoutMs / 1000);
      const timeout = { seconds, nanos: Math.round((timeoutMs - seconds * 1000) * 1e6) };
      return call((md, options, done) => operations.waitOperation({ name, timeout }, md, options, done), true, timeoutMs + waitSlackMs, signal);
    },
    // Cancelling twice is harmless (AIP-151: a done operation is left as it is).
    cancelOperation: async (name) => {
      await call((md, options, done) => operations.cancelOperation({ name }, md, options, done));
    },
    close() {
      operations.close();
      planner.close();
    },
  };
}

/** Whether the client's channel has been READY at some point since now (watched until it shuts down). */
function watchEverReady(client: Client): () => boolean {
  const channel = client.getChannel();
  let ready = false;
  const watch = (state: connectivityState) => {
    if (state === connectivityState.READY) ready = true;
    if (ready || state === connectivityState.SHUTDOWN) return;
    try {
      channel.watchConnectivityState(state, Infinity, () => watch(channel.getConnectivityState(false)));
    } catch {
      // The channel was closed meanwhile: nothing more to watch.
    }
  };
  watch(channel.getConnectivityState(false));
  return () => ready;
}
