import type { Logger } from 'pino';
import type {
  BacklogJob,
  BatchCreateJobsRequest,
  BatchCreateJobsResponse,
  BatchCreateSiteForecastsRequest,
  BatchCreateSiteForecastsResponse,
  CancelJobRequest,
  CreateJobRequest,
  CreateSiteForecastRequest,
  DeleteJobRequest,
  Dispatch,
  GetDispatchRequest,
  GetJobRequest,
  GetPlanRunInputRequest,
  GetSiteForecastRequest,
  ListJobsRequest,
  ListJobsResponse,
  ListSiteForecastsRequest,
  ListSiteForecastsResponse,
  PlanRunInput,
  ReportProgressRequest,
  ReportProgressResponse,
  SiteForecast,
  StandingPlannerServiceServer,
  StartPlanRunRequest,
  UpdateJobRequest,
} from '../generated/cosched/v1/standing_planner_service.js';
import type { Operation } from '../generated/google/longrunning/operations.js';
import type { Empty } from '../generated/google/protobuf/empty.js';
import type { PlanRunner } from '../standing/PlanRunner.js';
import type { StandingPlanner } from '../standing/StandingPlanner.js';
import { handleUnaryCall } from './handleUnaryCall.js';

/**
 * The cosched.v1.StandingPlannerService methods, for `server.addService(StandingPlannerServiceService, ...)`:
 * the backlog, forecasts, dispatch and progress (StandingPlanner) and StartPlanRun / GetPlanRunInput
 * (PlanRunner). Errors leave through toGrpcStatus; each call writes one log line.
 */
export function createStandingPlannerService(deps: { planner: StandingPlanner; runner: PlanRunner; logger: Logger }): StandingPlannerServiceServer {
  const { planner, runner, logger } = deps;
  return {
    createJob: handleUnaryCall<CreateJobRequest, BacklogJob>(
      'CreateJob',
      async (request, context) => {
        const [job] = await planner.createJobs({ requests: [request], requestId: '' }, true);
        context.logFields.job = job.name;
        return job;
      },
      logger,
    ),
    batchCreateJobs: handleUnaryCall<BatchCreateJobsRequest, BatchCreateJobsResponse>(
      'BatchCreateJobs',
      async (request, context) => {
        const jobs = await planner.createJobs(request);
        context.logFields.jobs = jobs.length;
        return { jobs };
      },
      logger,
    ),
    getJob: handleUnaryCall<GetJobRequest, BacklogJob>('GetJob', (request) => planner.getJob(request.name), logger),
    listJobs: handleUnaryCall<ListJobsRequest, ListJobsResponse>('ListJobs', (request) => planner.listJobs(request), logger),
    updateJob: handleUnaryCall<UpdateJobRequest, BacklogJob>('UpdateJob', (request) => planner.updateJob(request), logger),
    cancelJob: handleUnaryCall<CancelJobRequest, BacklogJob>('CancelJob', (request) => planner.cancelJob(request), logger),
    deleteJob: handleUnaryCall<DeleteJobRequest, Empty>(
      'DeleteJob',
      async (request) => {
        await planner.deleteJob(request.name);
        return {};
      },
      logger,
    ),
    createSiteForecast: handleUnaryCall<CreateSiteForecastRequest, SiteForecast>(
      'CreateSiteForecast',
      async (request) => (await planner.putForecasts({ requests: [request], requestId: '' }, true))[0],
      logger,
    ),
    batchCreateSiteForecasts: handleUnaryCall<BatchCreateSiteForecastsRequest, BatchCreateSiteForecastsResponse>(
      'BatchCreateSiteForecasts',
      async (request) => ({ siteForecasts: await planner.putForecasts(request) }),
      logger,
    ),
    getSiteForecast: handleUnaryCall<GetSiteForecastRequest, SiteForecast>('GetSiteForecast', (request) => planner.getForecast(request.name), logger),
    listSiteForecasts: handleUnaryCall<ListSiteForecastsRequest, ListSiteForecastsResponse>('ListSiteForecasts', (request) => planner.listForecasts(request), logger),
    startPlanRun: handleUnaryCall<StartPlanRunRequest, Operation>(
      'StartPlanRun',
      async (request, context) => {
        const operation = await runner.startRun(request);
        context.logFields.operation = operation.name;
        return operation;
      },
      logger,
    ),
    getPlanRunInput: handleUnaryCall<GetPlanRunInputRequest, PlanRunInput>('GetPlanRunInput', (request) => runner.getInput(request.name), logger),
    getDispatch: handleUnaryCall<GetDispatchRequest, Dispatch>('GetDispatch', (request) => planner.dispatch(request), logger),
    reportProgress: handleUnaryCall<ReportProgressRequest, ReportProgressResponse>(
      'ReportProgress',
      async (request, context) => {
        context.logFields.records = Array.isArray(request.records) ? request.records.length : 0;
        return planner.reportProgress(request);
      },
      logger,
    ),
  };
}
