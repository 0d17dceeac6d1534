import { describe, expect, it } from 'vitest';
import type { Determination } from '../../../../src/engine/types.js';
import { determineBundle } from '../../../../src/pipeline.js';
import {
  bundle,
  cbct,
  ELECTRON,
  fractionResource,
  IMRT,
  intrafraction,
  isocenters,
  modalityAndTechnique,
  PHOTON,
  requestResource,
  respiratory,
  summaryResource,
  THREE_D,
} from '../../../helpers/bundles.js';
import { AS_OF } from '../../../helpers/facts.js';

/**
 * Rule group S (billing-rules.md): delivered treatment recorded as phase, plan and course summaries, D-SUMMARY,
 * D-COUNT, D-COURSE, D-UNSTRUCTURED, and D-DATE for undated orders. Through the FHIR reader, as integrators send it.
 */
const determine = (resources: Record<string, unknown>[], asOf = AS_OF): Determination => determineBundle(bundle(resources), { asOf });
const rules = (findings: readonly { rule: string }[]) => findings.map((f) => f.rule);
const SCT = 'http://snomed.info/sct';
const plannedPhase = (id: string, extra: Record<string, unknown> = {}) => requestResource(id, 'phase', { intent: 'filler-order', ...extra });
const treatmentPlan = (id: string, basedOn: string) =>
  requestResource(id, 'plan', { intent: 'filler-order', basedOn: [{ reference: `ServiceRequest/${basedOn}` }] });

describe('D-SUMMARY: fractions known only from a summary', () => {
  it('a completed phase with no fraction records gets one entry: what each fraction describes, and an info', () => {
    const result = determine([summaryResource('phase-1', 'phase', 10)]);
    expect(result.sessions).toEqual([]);
    expect(result.phases).toHaveLength(1);
    expect(result.phases[0]).toMatchObject({ procedure: 'Procedure/phase-1', kind: 'phase', deliveryCode: '77407', deliveryRule: 'D-2' });
    expect(result.phases[0]).toMatchObject({ fractionsDelivered: 10, fractionRecords: 0, igrtProfessional: null });
    const [info] = result.phases[0]!.findings;
    expect(info).toMatchObject({ rule: 'D-SUMMARY', severity: 'info' });
    expect(info!.message).toMatch(/^10 fractions are recorded only as a phase summary: each describes 77407 \(D-2\)/);
  });

  it('an in-progress snapshot and the final summary of the same phase count once: the most fractions', () => {
    const basedOn = [{ reference: 'ServiceRequest/pp' }];
    const result = determine([
      plannedPhase('pp'),
      summaryResource('phase-final', 'phase', 12, { basedOn }),
      summaryResource('phase-1fx', 'phase', 1, {
        basedOn,
        status: 'in-progress',
        performedPeriod: { start: '2026-03-02T09:00:00Z', end: '2026-03-02T09:12:00Z' },
      }),
    ]);
    expect(result.phases.map((p) => [p.procedure, p.fractionsDelivered, p.snapshots])).toEqual([
      ['Procedure/phase-final', 12, ['Procedure/phase-1fx']],
    ]);
  });

  it('without basedOn, snapshots with the same DICOM UID count once; a usual identifier ("Primary") does not join', () => {
    const uid = (value: string) => [
      { use: 'usual', system: 'http://example.com/varian/fhir/identifier/radiotherapyPhaseId', value: 'Primary' },
      { use: 'official', system: 'urn:dicom:uid', value },
    ];
    const result = determine([
      summaryResource('course-final', 'course', 7, { identifier: uid('urn:oid:1.2.246.352.72.1') }),
      summaryResource('course-1fx', 'course', 1, {
        identifier: uid('urn:oid:1.2.246.352.72.1'),
        status: 'in-progress',
        performedPeriod: { start: '2026-03-02T09:00:00Z', end: '2026-03-02T09:12:00Z' },
      }),
      summaryResource('other-course', 'course', 5, { identifier: uid('urn:oid:1.2.246.352.72.2') }),
    ]);
    expect(result.phases.map((p) => [p.procedure, p.fractionsDelivered, p.snapshots])).toEqual([
      ['Procedure/course-final', 7, ['Procedure/course-1fx']],
      ['Procedure/other-course', 5, []],
    ]);
  });

  it("the same DICOM UID on two patients' summaries joins nothing: each patient keeps their phase", () => {
    const identifier = [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.246.352.73.1' }];
    const result = determine([
      summaryResource('phase-p1', 'phase', 4, { identifier }),
      summaryResource('phase-p2', 'phase', 6, { identifier, subject: { reference: 'Patient/p2' } }),
    ]);
    expect(result.phases.map((p) => [p.patient, p.procedure, p.fractionsDelivered])).toEqual([
      ['Patient/p1', 'Procedure/phase-p1', 4],
      ['Patient/p2', 'Procedure/phase-p2', 6],
    ]);
  });

  it('a phase summary speaks for its plan summary; a course summary only when it has no phase or plan summary', () => {
    const withPhase = determine([
      summaryResource('course', 'course', 10),
      summaryResource('phase', 'phase', 10, { partOf: [{ reference: 'Procedure/course' }] }),
      summaryResource('plan', 'plan', 10, { partOf: [{ reference: 'Procedure/phase' }] }),
    ]);
    expect(withPhase.phases.map((p) => p.procedure)).toEqual(['Procedure/phase']);
    expect(withPhase.phases[0]!.course).toBe('Procedure/course');

    const planOnly = determine([
      summaryResource('course', 'course', 10),
      summaryResource('plan', 'plan', 10, { partOf: [{ reference: 'Procedure/course' }] }),
    ]);
    expect(planOnly.phases.map((p) => [p.procedure, p.kind])).toEqual([['Procedure/plan', 'plan']]);

    const courseOnly = determine([summaryResource('course', 'course', 8, { extension: [modalityAndTechnique(PHOTON, IMRT)] })]);
    expect(courseOnly.phases.map((p) => [p.procedure, p.kind, p.deliveryCode])).toEqual([['Procedure/course', 'course', '77407']]);
  });

  it('no entry when every delivered fraction is in the record (linked by partOf or by the same plan)', () => {
    const result = determine([
      plannedPhase('pp'),
      treatmentPlan('plan', 'pp'),
      summaryResource('phase', 'phase', 2, { basedOn: [{ reference: 'ServiceRequest/pp' }] }),
      fractionResource('fx-1', '2026-03-02T09:00:00Z', { partOf: [{ reference: 'Procedure/phase' }] }),
      fractionResource('fx-2', '2026-03-03T09:00:00Z', { basedOn: [{ reference: 'ServiceRequest/plan' }] }),
    ]);
    expect(result.sessions).toHaveLength(2);
    expect(result.phases).toEqual([]);
  });

  it('a photon phase delivered with one plan is one isocenter; with several plans the isocenters are unknown (D-UNKNOWN)', () => {
    const onePlan = determine([
      plannedPhase('pp'),
      treatmentPlan('a', 'pp'),
      summaryResource('phase', 'phase', 5, { basedOn: [{ reference: 'ServiceRequest/pp' }] }),
    ]);
    expect(onePlan.phases[0]).toMatchObject({ deliveryCode: '77407', facts: { photonIsocenters: 1 } });

    const twoPlans = determine([
      plannedPhase('pp'),
      treatmentPlan('a', 'pp'),
      treatmentPlan('b', 'pp'),
      summaryResource('phase', 'phase', 5, { basedOn: [{ reference: 'ServiceRequest/pp' }] }),
    ]);
    expect(twoPlans.phases[0]).toMatchObject({ deliveryCode: null, deliveryRule: 'D-UNKNOWN' });
    expect(twoPlans.phases[0]!.findings.find((f) => f.rule === 'D-UNKNOWN')?.message).toContain('isocenter count');
  });

  it('guidance recorded on the summary: 77387-26 expected per session; gating on photons is Level 3 (D-3-AMM)', () => {
    const imaged = determine([summaryResource('phase', 'phase', 5, { extension: [modalityAndTechnique(PHOTON, IMRT), cbct()] })]);
    expect(imaged.phases[0]).toMatchObject({ deliveryCode: '77407', igrtProfessional: '77387-26' });
    expect(imaged.phases[0]!.findings.find((f) => f.rule === 'D-SUMMARY')?.message).toContain('with 77387-26 expected');

    const gated = determine([
      summaryResource('phase', 'phase', 5, { extension: [modalityAndTechnique(PHOTON, THREE_D), respiratory('721061000124106')] }),
    ]);
    expect(gated.phases[0]).toMatchObject({ deliveryCode: '77412', deliveryRule: 'D-3-AMM', igrtProfessional: '77387-26' });
  });

  it('a stopped phase counts its delivered fractions; entered-in-error and not-done summaries are not delivery', () => {
    expect(determine([summaryResource('phase', 'phase', 3, { status: 'stopped' })]).phases[0]).toMatchObject({
      status: 'stopped',
      fractionsDelivered: 3,
    });
    expect(determine([summaryResource('phase', 'phase', 3, { status: 'entered-in-error' })]).phases).toEqual([]);
    expect(determine([summaryResource('phase', 'phase', 3, { status: 'not-done' })]).phases).toEqual([]);
  });

  it('a phase delivered before 2026 is outside the 2026 family (D-OUT), said as such', () => {
    const result = determine([
      summaryResource('phase', 'phase', 5, { performedPeriod: { start: '2025-10-01T09:00:00Z', end: '2025-11-01T09:00:00Z' } }),
    ]);
    expect(result.phases[0]).toMatchObject({ deliveryCode: null, deliveryRule: 'D-OUT' });
    expect(result.phases[0]!.outOfFamily).toContain('before 2026');
  });

  it('brachytherapy summaries are D-OUT, with an un-encoded technique (UNC) and no FHIR-INPUT', () => {
    const hdr = {
      url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-modality-and-technique',
      extension: [
        {
          url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-modality',
          valueCodeableConcept: { coding: [{ system: SCT, code: '394902000' }] },
        },
        {
          url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-technique',
          valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNC' }], text: 'Intracavitary' },
        },
      ],
    };
    const result = determine([summaryResource('phase', 'phase', 5, { extension: [hdr] })]);
    expect(result.phases[0]).toMatchObject({ deliveryRule: 'D-OUT', igrtProfessional: null });
    expect(result.phases[0]!.outOfFamily).toContain('brachytherapy');
    expect(rules(result.findings)).not.toContain('FHIR-INPUT');
  });
});

describe('D-COUNT: fractions delivered exceed the fraction records', () => {
  const phaseWithRecords = (delivered: number, records: number) =>
    determine([
      plannedPhase('pp'),
      treatmentPlan('plan', 'pp'),
      summaryResource('phase', 'phase', delivered, { basedOn: [{ reference: 'ServiceRequest/pp' }] }),
      ...Array.from({ length: records }, (_, i) =>
        fractionResource(`fx-${i}`, `2026-03-0${i + 2}T09:00:00Z`, { basedOn: [{ reference: 'ServiceRequest/plan' }] }),
      ),
    ]);

  it('5 delivered, 3 recorded: a warning naming the counts and the effect, and an entry for the 2 others', () => {
    const result = phaseWithRecords(5, 3);
    expect(result.sessions).toHaveLength(3);
    expect(result.phases[0]).toMatchObject({ fractionsDelivered: 5, fractionRecords: 3 });
    const count = result.phases[0]!.findings.find((f) => f.rule === 'D-COUNT');
    expect(count).toMatchObject({ severity: 'warning' });
    expect(count!.message).toContain('reports 5 fractions delivered');
    expect(count!.message).toContain('2 are missing');
    expect(result.phases[0]!.findings.find((f) => f.rule === 'D-SUMMARY')?.message).toMatch(/^2 fractions are recorded only/);
  });

  it('no fraction records at all: D-SUMMARY says it, no D-COUNT; all recorded: neither', () => {
    expect(rules(phaseWithRecords(5, 0).phases[0]!.findings)).toEqual(['D-SUMMARY']);
    expect(phaseWithRecords(3, 3).phases).toEqual([]);
  });
});

describe('D-COURSE: a course lists several phases', () => {
  const courseRx = (extra: Record<string, unknown> = {}) =>
    requestResource('course', 'course', { extension: [modalityAndTechnique(PHOTON, THREE_D), modalityAndTechnique(ELECTRON, THREE_D)], ...extra });

  it('a course prescription listing photons and electrons gets no code of its own, never D-3-MIX; it names each', () => {
    const [order] = determine([courseRx()]).orders;
    expect(order).toMatchObject({ expectedDeliveryCode: null, deliveryRule: 'D-COURSE' });
    const message = order!.findings.find((f) => f.rule === 'D-COURSE')!.message;
    expect(message).toContain('photons 3D-CRT 77407 (D-2)');
    expect(message).toContain('electrons 3D-CRT 77402 (D-1)');
    expect(message).toContain('sessions that deliver both photons and electrons 77412 (D-3-MIX)');
  });

  it('when its phases have their own prescriptions, those carry the codes and the course names them', () => {
    const result = determine([
      courseRx(),
      requestResource('tang', 'phase', { basedOn: [{ reference: 'ServiceRequest/course' }] }),
      requestResource('boost', 'phase', { basedOn: [{ reference: 'ServiceRequest/course' }], extension: [modalityAndTechnique(ELECTRON, THREE_D)] }),
    ]);
    const course = result.orders.find((o) => o.order === 'ServiceRequest/course')!;
    expect(course.findings.find((f) => f.rule === 'D-COURSE')!.message).toContain(
      'ServiceRequest/tang 77407 (D-2); ServiceRequest/boost 77402 (D-1)',
    );
    expect(result.orders.find((o) => o.order === 'ServiceRequest/boost')).toMatchObject({ expectedDeliveryCode: '77402' });
  });

  it('a course with one modality and technique is coded; a phase listing photons and electrons is one mixed session (D-3-MIX)', () => {
    expect(determine([requestResource('course', 'course')]).orders[0]).toMatchObject({ expectedDeliveryCode: '77407', deliveryRule: 'D-2' });
    const mixedPhase = requestResource('phase', 'phase', {
      extension: [modalityAndTechnique(PHOTON, THREE_D), modalityAndTechnique(ELECTRON, THREE_D)],
    });
    expect(determine([mixedPhase]).orders[0]).toMatchObject({ expectedDeliveryCode: '77412', deliveryRule: 'D-3-MIX' });
  });

  it('a course prescription listing 3D-CRT and IMRT photons describes two phases', () => {
    const [order] = determine([
      requestResource('course', 'course', { extension: [modalityAndTechnique(PHOTON, THREE_D), modalityAndTechnique(PHOTON, IMRT)] }),
    ]).orders;
    expect(order).toMatchObject({ deliveryRule: 'D-COURSE' });
    expect(order!.findings.find((f) => f.rule === 'D-COURSE')!.message).not.toContain('D-3-MIX');
  });

  it('photon and electron phases whose dates overlap: sessions delivering both are D-3-MIX; apart, nothing', () => {
    const electrons = { extension: [modalityAndTechnique(ELECTRON, THREE_D)] };
    const overlapping = determine([
      summaryResource('tang', 'phase', 10),
      summaryResource('boost', 'phase', 5, { ...electrons, performedPeriod: { start: '2026-03-20T09:00:00Z', end: '2026-04-03T09:00:00Z' } }),
    ]);
    for (const phase of overlapping.phases) expect(rules(phase.findings)).toContain('D-COURSE');
    expect(overlapping.phases[0]!.findings.find((f) => f.rule === 'D-COURSE')!.message).toContain('77412 (D-3-MIX)');

    const apart = determine([
      summaryResource('tang', 'phase', 10),
      summaryResource('boost', 'phase', 5, { ...electrons, performedPeriod: { start: '2026-04-01T09:00:00Z', end: '2026-04-08T09:00:00Z' } }),
    ]);
    for (const phase of apart.phases) expect(rules(phase.findings)).not.toContain('D-COURSE');
  });

  it('a course summary used on its own that lists two modalities has no code of its own', () => {
    const result = determine([
      summaryResource('course', 'course', 30, { extension: [modalityAndTechnique(PHOTON, THREE_D), modalityAndTechnique(ELECTRON, THREE_D)] }),
    ]);
    expect(result.phases[0]).toMatchObject({ kind: 'course', deliveryCode: null, deliveryRule: 'D-COURSE' });
    expect(rules(result.phases[0]!.findings)).toEqual(expect.arrayContaining(['D-COURSE', 'D-SUMMARY']));
  });
});

describe('D-UNSTRUCTURED: radiotherapy without the CodeX RT structure', () => {
  const procedure = (id: string, system: string, code: string) => ({
    resourceType: 'Procedure',
    id,
    status: 'completed',
    subject: { reference: 'Patient/p1' },
    code: { coding: [{ system, code }] },
    performedPeriod: { start: '2026-03-02T09:00:00Z', end: '2026-03-02T09:15:00Z' },
  });

  it.each([
    ['a CPT delivery code', 'http://www.ama-assn.org/go/cpt', '77412', 'CPT 77412'],
    ['a deleted G-code', 'http://www.ama-assn.org/go/cpt', 'G6015', 'HCPCS G6015'],
    ['SNOMED teleradiotherapy', SCT, '33195004', 'SNOMED CT 33195004'],
    ['an mCODE modality as the procedure code', SCT, '1156506007', 'SNOMED CT 1156506007'],
  ])('%s gets an info naming it, and no session', (_what, system, code, named) => {
    const result = determine([procedure('rt', system, code)]);
    expect(result.sessions).toEqual([]);
    const finding = result.findings.find((f) => f.rule === 'D-UNSTRUCTURED');
    expect(finding).toMatchObject({ severity: 'info', evidence: ['Procedure/rt'] });
    expect(finding!.message).toContain(named);
    expect(finding!.message).toContain('Treated Fraction');
  });

  it.each([
    ['planning', '77263'],
    ['dosimetry', '77300'],
    ['continuing physics', '77336'],
    ['treatment management', '77427'],
  ])('a %s code (%s) is named as a service around treatment, not asked for Treated Fractions', (_what, code) => {
    const finding = determine([procedure('rt', 'http://www.ama-assn.org/go/cpt', code)]).findings.find((f) => f.rule === 'D-UNSTRUCTURED')!;
    expect(finding.message).toContain(`CPT ${code}`);
    expect(finding.message).toContain('not a treatment session');
    expect(finding.message).not.toContain('record it as a CodeX RT Treated Fraction');
  });

  it('other procedures (a biopsy, a CT scan) are not radiotherapy', () => {
    expect(determine([procedure('biopsy', SCT, '86273004'), procedure('ct', SCT, '77477000')]).findings).toEqual([]);
  });
});

describe('D-DATE: an undated order is evaluated as of the date given', () => {
  const undated = () => requestResource('rx', 'phase', { authoredOn: undefined });

  it('says which date was assumed and codes as of it', () => {
    const [order] = determine([undated()], '2026-06-15').orders;
    expect(order).toMatchObject({ serviceDate: null, assumedServiceDate: '2026-06-15', expectedDeliveryCode: '77407' });
    expect(order!.findings.find((f) => f.rule === 'D-DATE')).toMatchObject({ severity: 'info' });
    expect(order!.findings.find((f) => f.rule === 'D-DATE')!.message).toContain('2026-06-15');
  });

  it('as of a 2025 date the 2026 levels do not apply', () => {
    expect(determine([undated()], '2025-12-01').orders[0]).toMatchObject({ deliveryRule: 'D-OUT', expectedDeliveryCode: null });
  });

  it('a dated order draws no D-DATE', () => {
    expect(rules(determine([requestResource('rx', 'phase')]).orders[0]!.findings)).not.toContain('D-DATE');
  });
});

describe('unknown is unknown: never filled from the plan (fhir-input.md "Codes")', () => {
  const plan = () => treatmentPlan('plan', 'rx');
  const onPlan = { basedOn: [{ reference: 'ServiceRequest/plan' }] };
  const modality = (code: string, system = SCT) => ({
    url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-modality-and-technique',
    extension: [
      { url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-modality', valueCodeableConcept: { coding: [{ system, code }] } },
    ],
  });

  it('a radiopharmaceutical fraction based on a photon plan is out of family, not 77407', () => {
    const [session] = determine([plan(), fractionResource('fx', '2026-03-02T09:00:00Z', { ...onPlan, extension: [modality('440252007')] })]).sessions;
    expect(session).toMatchObject({ deliveryCode: null, deliveryRule: 'D-OUT' });
    expect(session!.outOfFamily).toContain('radiopharmaceutical');
  });

  it('an unrecognised modality on the fraction is unknown (D-UNKNOWN naming it), with one FHIR-INPUT', () => {
    const result = determine([plan(), fractionResource('fx', '2026-03-02T09:00:00Z', { ...onPlan, extension: [modality('123456789')] })]);
    expect(result.sessions[0]).toMatchObject({ deliveryCode: null, deliveryRule: 'D-UNKNOWN' });
    expect(result.sessions[0]!.findings.find((f) => f.rule === 'D-UNKNOWN')!.message).toContain(
      'modality on Procedure/fx: code http://snomed.info/sct|123456789 is not recognised',
    );
    expect(result.findings.filter((f) => f.rule === 'FHIR-INPUT')).toHaveLength(1);
  });

  it('a technique stated as un-encoded (UNC) is unknown, without FHIR-INPUT', () => {
    const unc = {
      url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-modality-and-technique',
      extension: [
        {
          url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-modality',
          valueCodeableConcept: { coding: [{ system: SCT, code: PHOTON }] },
        },
        {
          url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-technique',
          valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNC' }] },
        },
      ],
    };
    const result = determine([plan(), fractionResource('fx', '2026-03-02T09:00:00Z', { ...onPlan, extension: [unc, isocenters(1)] })]);
    expect(result.sessions[0]).toMatchObject({ deliveryRule: 'D-UNKNOWN' });
    expect(result.sessions[0]!.findings.find((f) => f.rule === 'D-UNKNOWN')!.message).toContain('technique on Procedure/fx: stated as unknown (UNC)');
    expect(rules(result.findings)).not.toContain('FHIR-INPUT');
  });

  it('an unrecognised code on a plan read by many fractions is one FHIR-INPUT, not one per fraction or basedOn hop', () => {
    const badPlan = treatmentPlan('plan', 'rx');
    badPlan.extension = [modalityAndTechnique(PHOTON, '999999999')];
    const fractions = Array.from({ length: 5 }, (_, i) => fractionResource(`fx-${i}`, `2026-03-0${i + 2}T09:00:00Z`, { ...onPlan, extension: [] }));
    const result = determine([requestResource('rx', 'phase'), badPlan, ...fractions]);
    expect(result.findings.filter((f) => f.rule === 'FHIR-INPUT').map((f) => f.evidence)).toEqual([['ServiceRequest/plan']]);
  });

  it('no FHIR-INPUT when the session is out of family anyway', () => {
    const proton = modality('10611004');
    const odd = {
      url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-modality-and-technique',
      extension: [
        proton.extension[0],
        {
          url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-radiotherapy-technique',
          valueCodeableConcept: { coding: [{ system: SCT, code: '999999999' }] },
        },
      ],
    };
    const result = determine([fractionResource('fx', '2026-03-02T09:00:00Z', { extension: [odd] })]);
    expect(result.sessions[0]).toMatchObject({ deliveryRule: 'D-OUT' });
    expect(rules(result.findings)).not.toContain('FHIR-INPUT');
  });

  it('a concept with a SNOMED code and a local code beside it is understood, with no FHIR-INPUT', () => {
    const both = modalityAndTechnique(PHOTON, THREE_D);
    (both.extension[1]!.valueCodeableConcept.coding as { system: string; code: string }[]).push({ system: 'urn:oid:1.2.3.4', code: '3D' });
    const result = determine([fractionResource('fx', '2026-03-02T09:00:00Z', { extension: [both, isocenters(1)] })]);
    expect(result.sessions[0]).toMatchObject({ deliveryCode: '77407' });
    expect(rules(result.findings)).not.toContain('FHIR-INPUT');
  });

  it('a published technique that decides no level (intraoperative) is named in D-UNKNOWN, with no FHIR-INPUT', () => {
    const result = determine([
      fractionResource('fx', '2026-03-02T09:00:00Z', { extension: [modalityAndTechnique(PHOTON, '168524008'), isocenters(1)] }),
    ]);
    expect(result.sessions[0]).toMatchObject({ deliveryRule: 'D-UNKNOWN' });
    expect(result.sessions[0]!.findings.find((f) => f.rule === 'D-UNKNOWN')!.message).toContain('Radiotherapy - intraoperative control');
    expect(rules(result.findings)).not.toContain('FHIR-INPUT');
  });

  it('motion management in an unrecognised code leaves AMM unknown: D-UNKNOWN, unless the level does not depend on it', () => {
    const odd = {
      url: 'http://hl7.org/fhir/us/codex-radiation-therapy/StructureDefinition/codexrt-radiotherapy-respiratory-motion-management',
      valueCodeableConcept: { coding: [{ system: SCT, code: '999999999' }] },
    };
    const oneIso = determine([
      fractionResource('fx', '2026-03-02T09:00:00Z', { extension: [modalityAndTechnique(PHOTON, THREE_D), isocenters(1), odd] }),
    ]);
    expect(oneIso.sessions[0]).toMatchObject({ deliveryRule: 'D-UNKNOWN' });
    const twoIso = determine([
      fractionResource('fx', '2026-03-02T09:00:00Z', { extension: [modalityAndTechnique(PHOTON, THREE_D), isocenters(2), odd] }),
    ]);
    expect(twoIso.sessions[0]).toMatchObject({ deliveryCode: '77412', deliveryRule: 'D-3-ISO' });
  });

  it('A-QUAL (spec v3): intra-fraction verification in a code not named may be a snapshot or monitoring: unknown, never guessed', () => {
    const result = determine([
      fractionResource('fx', '2026-03-02T09:00:00Z', {
        extension: [modalityAndTechnique(PHOTON, THREE_D), isocenters(1), intrafraction('999999999')],
      }),
    ]);
    expect(result.sessions[0]).toMatchObject({ deliveryCode: null, deliveryRule: 'D-UNKNOWN' });
    const unknown = result.sessions[0]!.findings.find((f) => f.rule === 'D-UNKNOWN');
    expect(unknown?.message).toContain('999999999');
  });
});
