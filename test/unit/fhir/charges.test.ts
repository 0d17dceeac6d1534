import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { extractFacts } from '../../../src/fhir/extract.js';
import { parseBundle } from '../../../src/fhir/parse.js';
import { bundle } from '../../helpers/bundles.js';

/** Reading the charges on file (spec B, fhir-input.md §3 `charges`): ChargeItem and Claim with use `claim`. */
const CPT = 'http://www.ama-assn.org/go/cpt';
const HCPCS = 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets';
const read = (...resources: Record<string, unknown>[]) => extractFacts(parseBundle(bundle(resources)), { asOf: '2026-11-25' }).charges ?? [];

const chargeItem = (id: string, coding: { system: string; code: string }[], extra: Record<string, unknown> = {}) => ({
  resourceType: 'ChargeItem',
  id,
  status: 'billable',
  code: { coding },
  subject: { reference: 'Patient/p1' },
  occurrenceDateTime: '2026-03-02',
  ...extra,
});

describe('ChargeItem', () => {
  it.each([
    [
      'a CPT code and a modifier coding',
      [
        { system: CPT, code: '77387' },
        { system: CPT, code: '26' },
      ],
      {},
      '77387',
      ['26'],
    ],
    ['a code written 77387-26', [{ system: CPT, code: '77387-26' }], {}, '77387', ['26']],
    [
      'a modifier extension',
      [{ system: CPT, code: '77387' }],
      { extension: [{ url: 'https://example.org/fhir/StructureDefinition/charge-modifier', valueCode: 'tc' }] },
      '77387',
      ['TC'],
    ],
    ['an HCPCS G-code', [{ system: HCPCS, code: 'G6015' }], {}, 'G6015', []],
    [
      'a modifier in a modifier code system',
      [
        { system: CPT, code: '77387' },
        { system: 'http://www.ama-assn.org/go/cpt/modifier', code: '26' },
      ],
      {},
      '77387',
      ['26'],
    ],
    ['no CPT or HCPCS coding (display text is never read)', [{ system: 'http://example.org/local', code: '77412' }], {}, null, []],
  ])('%s', (_label, coding, extra, code, modifiers) => {
    const [charge] = read(chargeItem('c1', coding, extra));
    expect(charge).toMatchObject({ ref: 'ChargeItem/c1', code, modifiers, patient: 'Patient/p1', date: '2026-03-02', units: 1 });
  });

  it('reads the session Encounter, the fraction Procedures and the quantity', () => {
    const [charge] = read(
      chargeItem('c1', [{ system: CPT, code: '77412' }], {
        context: { reference: 'Encounter/enc-1' },
        service: [{ reference: 'Procedure/fx-1' }, { reference: 'Observation/o1' }],
        quantity: { value: 2 },
      }),
    );
    expect(charge).toMatchObject({ encounters: ['Encounter/enc-1'], procedures: ['Procedure/fx-1'], units: 2 });
  });

  it.each(['entered-in-error', 'not-billable', 'aborted', 'planned'])('status %s is not a charge on file', (status) => {
    expect(read(chargeItem('c1', [{ system: CPT, code: '77412' }], { status }))).toEqual([]);
  });

  it('status billed is a charge on file', () => {
    expect(read(chargeItem('c1', [{ system: CPT, code: '77412' }], { status: 'billed' }))).toHaveLength(1);
  });

  it('a ChargeItem without code is refused at the boundary, naming the field', () => {
    const bad = { ...chargeItem('c1', []), code: undefined };
    expect(() => parseBundle(bundle([bad]))).toThrow(/entry\[0\]\.resource\.code/);
  });
});

describe('Claim with use claim', () => {
  const claim = (extra: Record<string, unknown> = {}, item: Record<string, unknown> = {}) => ({
    resourceType: 'Claim',
    id: 'cl1',
    status: 'active',
    use: 'claim',
    patient: { reference: 'Patient/p1' },
    procedure: [{ sequence: 1, procedureReference: { reference: 'Procedure/fx-2' } }],
    item: [
      {
        sequence: 3,
        productOrService: { coding: [{ system: CPT, code: '77387' }] },
        modifier: [{ coding: [{ system: CPT, code: '26' }] }],
        servicedDate: '2026-03-03',
        encounter: [{ reference: 'Encounter/enc-2' }],
        procedureSequence: [1],
        ...item,
      },
    ],
    ...extra,
  });

  it('each item is a charge: code, item.modifier, servicedDate, encounter and the procedure it names', () => {
    expect(read(claim())).toEqual([
      {
        ref: 'Claim/cl1',
        item: 3,
        patient: 'Patient/p1',
        code: '77387',
        modifiers: ['26'],
        units: 1,
        date: '2026-03-03',
        encounters: ['Encounter/enc-2'],
        procedures: ['Procedure/fx-2'],
        // A remittance names the line by the claim and the item's sequence (spec E).
        identifiers: ['cl1#3'],
      },
    ]);
  });

  it('servicedPeriod start when there is no servicedDate', () => {
    expect(read(claim({}, { servicedDate: undefined, servicedPeriod: { start: '2026-03-04T08:00:00-05:00' } }))[0]?.date).toBe(
      '2026-03-04T08:00:00-05:00',
    );
  });

  it.each([
    ['a preauthorization (an authorization, never a charge)', { use: 'preauthorization' }],
    ['a cancelled claim', { status: 'cancelled' }],
  ])('%s is not read as a charge', (_label, extra) => {
    expect(read(claim(extra))).toEqual([]);
  });

  it('a malformed item is an error naming the claim item and field', () => {
    try {
      read(claim({}, { modifier: 'twenty-six' }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).issues[0]?.path).toBe('Claim/cl1.item[0].modifier');
    }
  });
});
