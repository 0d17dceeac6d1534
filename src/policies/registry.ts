import type { PayerPolicy } from '../engine/policy.js';
import { loadPolicies } from './load.js';

/**
 * The policies in force, and where they were read from (`source`: the department folder, null for the shipped ones
 * only), or no source when they were set in code: another thread cannot read those.
 */
let inForce: { readonly policies: readonly PayerPolicy[]; readonly source: { readonly departmentDir: string | null } | null } | null = null;

/**
 * Sets the policies every evaluation uses (the service and the CLI load them at start: shipped + department folder).
 * `departmentDir` is the folder they were read with, so that a department run's evaluation workers read the same;
 * without it the policies are taken as set in code, and the run evaluates on its own thread.
 */
export function usePolicies(policies: readonly PayerPolicy[], departmentDir?: string | null): void {
  inForce = { policies, source: departmentDir === undefined ? null : { departmentDir } };
}

/** The policies in force; the shipped ones when none were set (read once). */
export function policiesInForce(): readonly PayerPolicy[] {
  inForce ??= { policies: loadPolicies(), source: { departmentDir: null } };
  return inForce.policies;
}

/** Where the policies in force come from, for a thread that must read the same; null when they were set in code. */
export function policySource(): { readonly departmentDir: string | null } | null {
  return inForce ? inForce.source : { departmentDir: null };
}
