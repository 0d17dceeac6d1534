import type { PayerPolicy } from '../engine/policy.js';
import { loadPolicies } from './load.js';

/** The policies in force and the department folder they were read with (null: the shipped ones only). */
let inForce: { readonly policies: readonly PayerPolicy[]; readonly departmentDir: string | null } | null = null;
/** Set in code rather than read from files: another thread cannot read the same ones. */
let setInCode = false;

/**
 * Sets the policies every evaluation uses (the service and the CLI load them at start: shipped + department folder).
 * `departmentDir` is the folder they were read with, so that a department run's evaluation workers read the same;
 * without it the policies are taken as set in code, and the run evaluates on its own thread.
 */
export function usePolicies(policies: readonly PayerPolicy[], departmentDir?: string | null): void {
  inForce = { policies, departmentDir: departmentDir ?? null };
  setInCode = departmentDir === undefined;
}

/** The policies in force; the shipped ones when none were set (read once). */
export function policiesInForce(): readonly PayerPolicy[] {
  inForce ??= { policies: loadPolicies(), departmentDir: null };
  return inForce.policies;
}

/** Where the policies in force come from, for a thread that must read the same; null when they were set in code. */
export function policySource(): { readonly departmentDir: string | null } | null {
  if (setInCode) return null;
  return { departmentDir: inForce?.departmentDir ?? null };
}
