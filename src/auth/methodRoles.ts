import type { Role } from './Role.js';

/** Health and reflection: open to anyone by default, or to any authenticated caller (see leastRoleFor). */
export const openServicePrefixes = ['/grpc.health.v1.Health/', '/grpc.reflection.v1.ServerReflection/', '/grpc.reflection.v1alpha.ServerReflection/'] as const;

const planner: Role = 'planner';
const admin: Role = 'admin';

/**
 * The least role each method of cosched's own services needs, by full method path. Plans and
 * reads need `planner`; anything that changes jobs, forecasts or plan runs needs `admin`.
 */
export const methodRoles: Readonly<Record<string, Role>> = {
  '/cosched.v1.CoSchedulerService/Plan': planner,
  '/cosched.v1.CoSchedulerService/WatchPlan': planner,
  '/cosched.v1.CoSchedulerService/ValidatePlanRequest': planner,
  '/cosched.v1.CoSchedulerService/CompareScenarios': planner,
  '/cosched.v1.CoSchedulerService/SweepFrontier': planner,
  '/cosched.v1.CoSchedulerService/EvaluatePlan': planner,
  '/cosched.v1.StandingPlannerService/GetJob': planner,
  '/cosched.v1.StandingPlannerService/ListJobs': planner,
  '/cosched.v1.StandingPlannerService/GetSiteForecast': planner,
  '/cosched.v1.StandingPlannerService/ListSiteForecasts': planner,
  '/cosched.v1.StandingPlannerService/GetPlanRunInput': planner,
  '/cosched.v1.StandingPlannerService/GetDispatch': planner,
  '/cosched.v1.StandingPlannerService/CreateJob': admin,
  '/cosched.v1.StandingPlannerService/BatchCreateJobs': admin,
  '/cosched.v1.StandingPlannerService/UpdateJob': admin,
  '/cosched.v1.StandingPlannerService/DeleteJob': admin,
  '/cosched.v1.StandingPlannerService/CancelJob': admin,
  '/cosched.v1.StandingPlannerService/CreateSiteForecast': admin,
  '/cosched.v1.StandingPlannerService/BatchCreateSiteForecasts': admin,
  '/cosched.v1.StandingPlannerService/StartPlanRun': admin,
  '/cosched.v1.StandingPlannerService/ReportProgress': admin,
  '/google.longrunning.Operations/ListOperations': planner,
  '/google.longrunning.Operations/GetOperation': planner,
  '/google.longrunning.Operations/WaitOperation': planner,
  '/google.longrunning.Operations/CancelOperation': admin,
  '/google.longrunning.Operations/DeleteOperation': admin,
};

/**
 * Who may call the method at `path` (`/package.Service/Method`):
 * - `open` for health and reflection unless `closeHealthAndReflection` (then `planner`: any
 *   authenticated caller);
 * - the role of `methodRoles`;
 * - `admin` for any other method (one added later and not yet in the table).
 */
export function leastRoleFor(path: string, closeHealthAndReflection: boolean): Role | 'open' {
  if (openServicePrefixes.some((prefix) => path.startsWith(prefix))) return closeHealthAndReflection ? planner : 'open';
  return methodRoles[path] ?? admin;
}
