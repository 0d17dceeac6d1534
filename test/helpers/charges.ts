import type { Charge, Payer } from '../../src/engine/types.js';

/** Builders of charges on file (engine facts) for the B rule tests. */
let counter = 0;
export function charge(spec: Partial<Charge> & { code: string | null }): Charge {
  counter += 1;
  return {
    ref: `ChargeItem/chg-${counter}`,
    item: null,
    patient: 'Patient/p1',
    modifiers: [],
    units: 1,
    date: null,
    encounters: [],
    procedures: [],
    ...spec,
  };
}

export const MEDICARE: Payer = { kind: 'medicare', state: null, coverage: 'Coverage/c1' };
export const COMMERCIAL: Payer = { kind: 'commercial', state: null, coverage: 'Coverage/c1' };
/** A commercial payer with a shipped policy (Priority Health, 004: the 77417 edits, P-PORT). */
export const PRIORITY_HEALTH: Payer = { kind: 'commercial', state: 'MI', coverage: 'Coverage/c1', payorName: 'Priority Health' };
