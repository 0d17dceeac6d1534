import type { PayerPolicy } from '../engine/policy.js';
import { loadPolicies } from './load.js';

let inForce: readonly PayerPolicy[] | null = null;

/** Sets the policies every evaluation uses (the service and the CLI load them at start: shipped + department folder). */
export function usePolicies(policies: readonly PayerPolicy[]): void {
  inForce = policies;
}

/** The policies in force; the shipped ones when none were set (read once). */
export function policiesInForce(): readonly PayerPolicy[] {
  inForce ??= loadPolicies();
  return inForce;
}
