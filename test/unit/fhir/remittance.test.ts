import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { readRemittanceEntries, readRemittanceText } from '../../../src/fhir/remittance/read.js';
import { read835, RemittanceError } from '../../../src/fhir/remittance/x12.js';

/** Remittance readers (spec E): X12 835 5010 through node-x12, ExplanationOfBenefit, ClaimResponse use claim. */

const isa = (version = '00501') => `ISA*00*          *00*          *ZZ*PAYERID        *ZZ*CLINICID       *260501*1200*^*${version}*000000001*0*P*:~`;

/** A small 835: two claims, the second with a line adjudicated as another code (SVC06) and a remark. */
function x835(options: { version?: string; gs08?: string; st01?: string; se?: string | null } = {}): string {
  const body = [
    'BPR*I*400*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260501',
    'TRN*1*12345*1512345678',
    'N1*PR*ACME HEALTH',
    'LX*1',
    'CLP*ACCT-77*1*700*360**MC*PCN-1*11*1',
    'NM1*QC*1*DOE*JANE****MI*MEMBER-123',
    'DTM*232*20260302',
    'SVC*HC:77387:26*100*0**1',
    'DTM*472*20260302',
    'CAS*CO*97*100',
    'REF*6R*LINE-1',
    'LQ*HE*M80',
    'CLP*ACCT-77*1*600*317.64**MC*PCN-2*11*1',
    'SVC*HC:77407*600*317.64**1*HC:77412',
    'DTM*472*20260303',
    'CAS*CO*150*282.36**45*0',
    'REF*6R*LINE-2',
  ];
  const st = `ST*${options.st01 ?? '835'}*0001`;
  const se = options.se === null ? [] : [options.se ?? `SE*${body.length + 2}*0001`];
  return [
    isa(options.version),
    `GS*HP*PAYERID*CLINICID*20260501*1200*1*X*${options.gs08 ?? '005010X221A1'}`,
    st,
    ...body,
    ...se,
    'GE*1*1',
    'IEA*1*000000001',
  ]
    .map((segment) => (segment.endsWith('~') ? segment : `${segment}~`))
    .join('\n');
}

const errorOf = (run: () => unknown): RemittanceError => {
  try {
    run();
  } catch (error) {
    if (error instanceof RemittanceError) return error;
    throw error;
  }
  throw new Error('no RemittanceError');
};

describe('835: claims and service lines', () => {
  it('reads CLP, NM1*QC, SVC (with SVC06), DTM*472, CAS triples, REF*6R and LQ*HE', () => {
    const claims = read835(x835(), 'june.835');
    expect(claims).toHaveLength(2);
    expect(claims[0]).toMatchObject({ claimId: 'ACCT-77', memberId: 'MEMBER-123', status: '1', payerClaimNumber: 'PCN-1', payerName: 'ACME HEALTH' });
    expect(claims[0]!.lines[0]).toMatchObject({
      code: '77387',
      modifiers: ['26'],
      paid: 0,
      charged: 100,
      date: '2026-03-02',
      controlNumber: 'LINE-1',
      adjustments: [{ group: 'CO', reason: '97', amount: 100 }],
      remarks: ['M80'],
      origin: 'june.835 segment 11',
    });
    expect(claims[1]!.lines[0]).toMatchObject({
      code: '77407',
      billedCode: '77412',
      paid: 317.64,
      adjustments: [
        { group: 'CO', reason: '150', amount: 282.36 },
        { group: 'CO', reason: '45', amount: 0 },
      ],
    });
  });
});

describe('835: malformed files name the file and segment, never the content', () => {
  it.each([
    ['the ISA is not 106 characters', () => x835().replace('*ZZ*PAYERID        *', '*ZZ*PAYERID*'), 1, /ISA segment must be 106/],
    ['an unknown version', () => x835({ version: '00401' }), 1, /version/],
    ['not the 835 implementation', () => x835({ gs08: '005010X222A1' }), 2, /GS08/],
    ['not an 835 transaction set', () => x835({ st01: '837' }), 3, /not an 835/],
    ['SE missing', () => x835({ se: null }), 3, /no SE/],
    ['SE01 count wrong', () => x835({ se: 'SE*5*0001' }), 21, /SE01/],
    ['SE02 not the ST02', () => x835({ se: 'SE*19*0002' }), 21, /SE02/],
  ] as const)('%s', (_label, make, segment, problem) => {
    const error = errorOf(() => read835(make(), 'bad.835'));
    expect(error).toMatchObject({ file: 'bad.835', segment });
    expect(error.message).toMatch(problem);
    for (const phi of ['DOE', 'JANE', 'MEMBER-123', 'ACCT-77']) expect(error.message).not.toContain(phi);
  });

  it('text that is not X12 at all', () => {
    expect(errorOf(() => readRemittanceText('hello', 'notes.txt')).message).toMatch(/neither an X12 835 nor FHIR JSON/);
  });
});

describe('FHIR remittance', () => {
  const eob = {
    resourceType: 'ExplanationOfBenefit',
    id: 'eob-1',
    status: 'active',
    use: 'claim',
    patient: { reference: 'Patient/p1' },
    insurer: { display: 'Acme Health' },
    claim: { reference: 'Claim/cl-1' },
    item: [
      {
        sequence: 2,
        productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '77387' }] },
        modifier: [{ coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '26' }] }],
        servicedDate: '2026-03-02',
        adjudication: [
          { category: { coding: [{ code: 'submitted' }] }, amount: { value: 100 } },
          { category: { coding: [{ code: 'benefit' }] }, amount: { value: 0 } },
          { category: { coding: [{ code: 'denied' }] }, reason: { coding: [{ code: '97' }] }, amount: { value: 100 } },
        ],
      },
    ],
  };

  it('an ExplanationOfBenefit item: code, modifiers, date, submitted/benefit, CARC, and the Claim item as control number', () => {
    const [claim] = readRemittanceEntries([{ fullUrl: undefined, resource: eob as never }]);
    expect(claim).toMatchObject({ patient: 'Patient/p1', claimId: 'cl-1', payerName: 'Acme Health' });
    expect(claim!.lines[0]).toMatchObject({
      code: '77387',
      modifiers: ['26'],
      date: '2026-03-02',
      charged: 100,
      paid: 0,
      controlNumber: 'cl-1#2',
      adjustments: [{ group: 'CO', reason: '97', amount: 100 }],
    });
  });

  it('a ClaimResponse use claim takes its codes from the Claim it answers', () => {
    const claimResource = {
      resourceType: 'Claim',
      id: 'cl-1',
      use: 'claim',
      item: [
        { sequence: 1, productOrService: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '77412' }] }, servicedDate: '2026-03-02' },
      ],
    };
    const response = {
      resourceType: 'ClaimResponse',
      id: 'cr-1',
      use: 'claim',
      status: 'active',
      patient: { reference: 'Patient/p1' },
      request: { reference: 'Claim/cl-1' },
      item: [{ itemSequence: 1, adjudication: [{ category: { coding: [{ code: 'benefit' }] }, amount: { value: 0 } }] }],
    };
    const [claim] = readRemittanceEntries([
      { fullUrl: undefined, resource: claimResource as never },
      { fullUrl: undefined, resource: response as never },
    ]);
    expect(claim!.lines[0]).toMatchObject({ code: '77412', paid: 0, controlNumber: 'cl-1#1', date: '2026-03-02' });
  });

  it('an 835 as a Binary entry; a malformed one is a 400 naming the entry and the segment', () => {
    const binary = (text: string) => ({
      resourceType: 'Binary',
      id: 'era',
      contentType: 'application/EDI-X12',
      data: Buffer.from(text).toString('base64'),
    });
    expect(readRemittanceEntries([{ fullUrl: undefined, resource: binary(x835()) as never }])).toHaveLength(2);
    try {
      readRemittanceEntries([{ fullUrl: undefined, resource: binary(x835({ se: null })) as never }]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).issues[0]).toMatchObject({ path: 'Bundle.entry[0].resource.data' });
      expect((error as InputError).issues[0]!.message).toMatch(/segment 3/);
    }
  });

  it('an ExplanationOfBenefit without a patient is invalid input naming the field', () => {
    const { patient: _omitted, ...noPatient } = eob;
    expect(() => readRemittanceEntries([{ fullUrl: undefined, resource: noPatient as never }])).toThrow(/ExplanationOfBenefit\/eob-1\.patient/);
  });
});
