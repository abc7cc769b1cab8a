import { randomUUID } from 'node:crypto';
import { CoschedError } from '../../../solver/errors/CoschedError.js';
import { readPlanRequestFile } from '../../data/loadPlanRequest.js';
import { BacklogJob, BatchCreateJobsResponse, ListJobsResponse } from '../../generated/cosched/v1/standing_planner_service.js';
import { exitCodes } from '../exitCodes.js';
import type { StandingCommand } from './parseStandingCommand.js';
import { formatJson } from './formatJson.js';
import { formatJobDetail, formatJobList, formatSubmittedJobs, jobStateName } from './formatBacklogJobs.js';
import type { StandingRunner } from './StandingIo.js';

type JobsCommand = Extract<StandingCommand, { name: 'jobs submit' | 'jobs list' | 'jobs get' | 'jobs cancel' | 'jobs delete' }>;

/**
 * `cosched jobs submit FILE [--request-id ID]`: FILE is a scenario or any PlanRequest file (only
 * its `jobs` are used), read and schema-checked by readPlanRequestFile; its jobs go to the backlog
 * in one BatchCreateJobs call, all or none, with `request_id` the flag or a random UUID (so a
 * retry of the call is answered with the first answer).
 * `cosched jobs list [--state S[,S]] [--all-pages]`: ListJobs filtered by state, the first page
 * (100 jobs), or every page with --all-pages.
 * `cosched jobs get NAME`, `cosched jobs cancel NAME [--reason TEXT]`, `cosched jobs delete NAME`.
 * Text tables, or the responses' proto3 JSON with --json.
 *
 * @throws CoschedError: a bad file (every bad field), the server's errors (an existing job is
 *   ALREADY_EXISTS naming it, an unknown one NOT_FOUND...).
 */
export const runJobsCommand: StandingRunner<JobsCommand> = async (planner, command, io) => {
  switch (command.name) {
    case 'jobs submit': {
      const { jobs } = await readPlanRequestFile(command.file);
      if (jobs.length === 0) throw CoschedError.invalid([{ field: 'jobs', description: 'got no jobs; expected at least one job to submit' }], `jobs file ${command.file}`);
      const response = await planner.batchCreateJobs({ requests: jobs.map((job) => ({ job, requestId: '' })), requestId: command.requestId ?? randomUUID() });
      const output = command.json ? formatJson(BatchCreateJobsResponse.toJSON(response)) : `submitted ${response.jobs.length} job${response.jobs.length === 1 ? '' : 's'}\n${formatSubmittedJobs(response.jobs)}`;
      return { output, exitCode: exitCodes.ok };
    }
    case 'jobs list': {
      const filter = command.states.map((state) => `state = ${state.toUpperCase()}`).join(' OR ');
      const all: ListJobsResponse = { jobs: [], nextPageToken: '', totalSize: 0 };
      do {
        const page = await planner.listJobs({ pageSize: command.allPages ? 1_000 : 0, pageToken: all.nextPageToken, filter });
        all.jobs.push(...page.jobs);
        all.nextPageToken = page.nextPageToken;
        all.totalSize = page.totalSize;
      } while (command.allPages && all.nextPageToken !== '');
      if (command.json) return { output: formatJson(ListJobsResponse.toJSON(all)), exitCode: exitCodes.ok };
      if (all.nextPageToken !== '') io.stderr.write(`cosched: showing ${all.jobs.length} of ${all.totalSize} jobs; --all-pages lists them all\n`);
      const output = all.jobs.length === 0 ? `no jobs${filter ? ` with ${filter}` : ''}\n` : formatJobList(all.jobs);
      return { output, exitCode: exitCodes.ok };
    }
    case 'jobs get': {
      const job = await planner.getJob(command.job);
      return { output: command.json ? formatJson(BacklogJob.toJSON(job)) : formatJobDetail(job), exitCode: exitCodes.ok };
    }
    case 'jobs delete': {
      await planner.deleteJob(command.job);
      return { output: command.json ? formatJson({}) : `deleted ${command.job}\n`, exitCode: exitCodes.ok };
    }
    case 'jobs cancel': {
      const job = await planner.cancelJob({ name: command.job, reason: command.reason ?? '' });
      const output = command.json ? formatJson(BacklogJob.toJSON(job)) : `${job.name}: ${jobStateName(job.state)}${job.stateReason ? ` (${job.stateReason})` : ''}\n`;
      return { output, exitCode: exitCodes.ok };
    }
  }
};
