/**
 * What a caller may do. `planner` may plan and read; `admin` may also change jobs, forecasts and
 * plan runs. Ordered: each role may do everything the roles before it may.
 */
export const roles = ['planner', 'admin'] as const;
export type Role = (typeof roles)[number];

/** True when `role` is one of `roles`. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

/** True when a caller with `held` may call a method that needs at least `needed`. */
export function roleAllows(held: Role, needed: Role): boolean {
  return roles.indexOf(held) >= roles.indexOf(needed);
}
