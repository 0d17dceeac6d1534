// The project's own scenarios: one made-up patient each at the Lakeshore Radiation Center (scripts/fhir-record.mjs),
// with the answer the 2026 billing rules give for it, written from the rules (the rule IDs of the README's rules
// section), not from the service's output. scripts/make-fixtures.mjs writes them to test/fixtures/scenarios/
// (`NAME.bundle.json` + `NAME.expected.json`, the format every case runner of the tests reads) and the demo
// patients among them to fixtures/.
import { PatientRecord } from './fhir-record.mjs';

// Chicago's offsets in 2026: standard time until 8 March, daylight time from then.
const CST = '-06:00';
const CDT = '-05:00';

const IMRT_CBCT = { modality: 'photon', technique: 'imrt', isocenters: 1, guidance: ['cbct'] };

/** A course prescription and the plan that delivers it, with the same facts. */
function courseAndPlan(record, { facts, start, authoredOn, planned, fractions, sites, by }) {
  const rx = record.prescription({ facts, start, authoredOn, fractions, sites, by });
  const plan = record.plan({ basedOn: rx, facts: { ...facts, necessity: undefined }, authoredOn: planned, sites });
  return { rx, plan };
}

/** The expected answer for one session. */
const session = (fractions, codes, findingRules = [], absentFindingRules = []) => ({
  fractions: fractions.map((f) => `Procedure/${f}`),
  ...codes,
  findingRules,
  absentFindingRules,
});
const level = (deliveryCode, supportedDeliveryCode = deliveryCode) => ({ deliveryCode, supportedDeliveryCode });
const billable = { igrtProfessional: '77387-26', igrtStatus: 'billable' };
const noGuidance = { igrtProfessional: null, igrtStatus: 'none' };

const AMM_CHECKS = ['A-ORDER', 'A-NEED', 'A-NEED-SPECIFIC', 'A-RECORD', 'A-SIGN'];
const B_RULES = ['B-MISSED', 'B-LEVEL', 'B-26', 'B-DUPLICATE'];

/**
 * Each scenario: `name` (file name), `tag` (the prefix of its ids), `demo` (title and line for the embedded demo, when
 * it is one of its patients), `build()` the record, `expected` the answer in the case format.
 */
export const SCENARIOS = [
  {
    name: 'a1-palliative-spine-2d-no-guidance',
    tag: 'a1',
    demo: { title: 'ACRO scenario 1', description: 'Palliative thoracic spine, opposed 2D fields set up on bony landmarks' },
    build() {
      const r = new PatientRecord({
        tag: 'a1',
        payer: 'medicare',
        patient: { id: 'pt-40117', family: 'Whitlock', given: 'Harold', gender: 'male', birthDate: '1946-09-14', mrn: 'LRC-040117' },
      });
      const facts = { modality: 'photon', technique: '2d', isocenters: 1 };
      const { plan } = courseAndPlan(r, {
        facts,
        start: '2026-02-02',
        authoredOn: `2026-01-29T16:05:00${CST}`,
        planned: `2026-01-30T11:00:00${CST}`,
        fractions: 5,
        sites: ['thoracic spine'],
      });
      r.fraction({ start: `2026-02-02T09:00:00${CST}`, minutes: 6, facts, basedOn: plan, sites: ['thoracic spine'] });
      return r;
    },
    expected: {
      description:
        'Five-fraction palliative course to the thoracic spine: opposed 2D photon fields on one isocenter, set up on bony ' +
        'landmarks, no imaging. Level 1 by D-1; nothing was guided, so no professional guidance charge.',
      rules: ['D-1'],
      sessions: [session(['a1-fx-1'], { ...level('77402'), ...noGuidance }, [], ['I-PC', 'I-SIGN'])],
      orders: [],
    },
  },
  {
    name: 'a2-prostate-imrt-kv-pair-localization',
    tag: 'a2',
    demo: { title: 'ACRO scenario 2', description: 'Prostate IMRT on gold seeds, orthogonal kV pairs approved the same morning' },
    build() {
      const r = new PatientRecord({
        tag: 'a2',
        payer: 'medicare',
        patient: { id: 'pt-40232', family: 'Oyelaran', given: 'Samuel', gender: 'male', birthDate: '1952-03-08', mrn: 'LRC-040232' },
      });
      const facts = { modality: 'photon', technique: 'imrt', isocenters: 1, guidance: ['kv'] };
      const { plan } = courseAndPlan(r, {
        facts,
        start: '2026-02-02',
        authoredOn: `2026-01-20T14:30:00${CST}`,
        planned: `2026-01-28T10:00:00${CST}`,
        fractions: 28,
        sites: ['prostate'],
      });
      for (const day of ['02', '03']) {
        const fx = r.fraction({ start: `2026-02-${day}T08:10:00${CST}`, minutes: 9, facts, basedOn: plan, sites: ['prostate'] });
        r.approveImages(fx, `2026-02-${day}T11:40:00${CST}`);
      }
      return r;
    },
    expected: {
      description:
        'Prostate IMRT on one isocenter; implanted gold seeds matched on orthogonal kV image pairs before each beam-on, ' +
        'each pair approved by the physician before the next day. Level 2 (D-2) and the guidance professional charge (I-PC).',
      rules: ['D-2', 'I-PC', 'I-SIGN', 'I-TC'],
      sessions: [
        session(['a2-fx-1'], { ...level('77407'), ...billable }, [], ['I-SIGN']),
        session(['a2-fx-2'], { ...level('77407'), ...billable }, [], ['I-SIGN']),
      ],
      orders: [],
    },
  },
  {
    name: 'a3-breast-nodal-vmat-cbct',
    tag: 'a3',
    demo: { title: 'ACRO scenario 3', description: 'Breast and regional nodes, VMAT arcs and a static field on one isocenter, CBCT approved' },
    build() {
      const r = new PatientRecord({
        tag: 'a3',
        payer: 'commercial',
        patient: { id: 'pt-40358', family: 'Villanueva', given: 'Marisol', gender: 'female', birthDate: '1971-11-23', mrn: 'LRC-040358' },
      });
      const facts = { modality: 'photon', technique: ['vmat', '3d'], isocenters: 1, guidance: ['cbct'] };
      const { plan } = courseAndPlan(r, {
        facts,
        start: '2026-02-09',
        authoredOn: `2026-01-30T09:15:00${CST}`,
        planned: `2026-02-05T15:00:00${CST}`,
        fractions: 25,
        sites: ['breast'],
      });
      const fx = r.fraction({ start: `2026-02-09T10:20:00${CST}`, minutes: 8, facts, basedOn: plan, sites: ['breast'] });
      r.approveImages(fx, `2026-02-09T13:05:00${CST}`, 'eklund');
      return r;
    },
    expected: {
      description:
        'Right breast with the axillary and supraclavicular nodes in one plan on a single isocenter: two partial VMAT ' +
        'arcs and one static field; cone-beam CT before treatment approved the same afternoon. Level 2 (D-2, VMAT ' +
        'counts as IMRT) with 77387-26; the order names two techniques, so it gets no code of its own (D-COURSE).',
      rules: ['D-2', 'I-PC', 'D-COURSE'],
      sessions: [session(['a3-fx-1'], { ...level('77407'), ...billable })],
      orders: [{ order: 'ServiceRequest/a3-rx', expectedDeliveryCode: null, findingRules: ['D-COURSE'], absentFindingRules: ['D-UNKNOWN'] }],
    },
  },
  {
    name: 'a4-left-breast-breath-hold-surface-monitored',
    tag: 'a4',
    demo: { title: 'ACRO scenario 4', description: 'Left breast tangents in monitored deep-inspiration breath hold, fully documented' },
    build() {
      const r = new PatientRecord({
        tag: 'a4',
        payer: 'medicare',
        patient: { id: 'pt-40461', family: 'Haugen', given: 'Ingrid', gender: 'female', birthDate: '1958-06-30', mrn: 'LRC-040461' },
      });
      const facts = { modality: 'photon', technique: '3d', isocenters: 1, guidance: ['kv'], intrafraction: ['surface'], respiratory: 'breath-hold' };
      const { plan } = courseAndPlan(r, {
        facts: {
          ...facts,
          necessity:
            'Tumor bed in the lower inner left breast lies against the anterior heart. Comparing free-breathing and ' +
            'held-inspiration plans, only the held plan keeps the heart and the anterior descending artery outside the ' +
            'tangents, so the hold has to be watched for the whole beam-on time.',
        },
        start: '2026-03-02',
        authoredOn: `2026-02-18T10:45:00${CST}`,
        planned: `2026-02-26T16:20:00${CST}`,
        fractions: 16,
        sites: ['left breast'],
      });
      for (const day of ['02', '03']) {
        const start = `2026-03-${day}T07:40:00${CST}`;
        const fx = r.fraction({ start, minutes: 11, facts, basedOn: plan, sites: ['left breast'] });
        r.approveImages(fx, `2026-03-${day}T12:15:00${CST}`);
        r.ammRecord(fx, { from: start, to: `2026-03-${day}T07:51:00${CST}`, signedAt: `2026-03-${day}T12:17:00${CST}` });
      }
      return r;
    },
    expected: {
      description:
        'Left breast tangents (3D) in deep-inspiration breath hold watched by surface imaging throughout beam-on; kV ' +
        'setup images; the order states why the hold is needed for this patient; each fraction has a monitoring log ' +
        'covering beam-on to beam-off, signed by the physician the same day. Level 3 by D-3-AMM, documented, with 77387-26.',
      rules: ['D-3-AMM', 'A-QUAL', 'A-ORDER', 'A-NEED', 'A-RECORD', 'A-SIGN', 'I-PC'],
      sessions: [
        session(['a4-fx-1'], { ...level('77412'), ...billable }, [], [...AMM_CHECKS, 'I-SIGN']),
        session(['a4-fx-2'], { ...level('77412'), ...billable }, [], [...AMM_CHECKS, 'I-SIGN']),
      ],
      orders: [],
    },
  },
  {
    name: 'a5-both-knees-2d-port-films',
    tag: 'a5',
    demo: { title: 'ACRO scenario 5', description: 'Osteoarthritis of both knees, one 2D plan each, MV port films only' },
    build() {
      const r = new PatientRecord({
        tag: 'a5',
        payer: 'medicare',
        patient: { id: 'pt-40573', family: 'Kowalczyk', given: 'Teresa', gender: 'female', birthDate: '1949-01-17', mrn: 'LRC-040573' },
      });
      const facts = { modality: 'photon', technique: '2d', isocenters: 1 };
      const rx = r.prescription({
        facts: { ...facts, isocenters: 2 },
        start: '2026-02-16',
        authoredOn: `2026-02-10T09:00:00${CST}`,
        fractions: 6,
        sites: ['right knee', 'left knee'],
      });
      const right = r.plan({ id: 'plan-right', basedOn: rx, facts, authoredOn: `2026-02-12T14:00:00${CST}`, sites: ['right knee'] });
      const left = r.plan({ id: 'plan-left', basedOn: rx, facts, authoredOn: `2026-02-12T14:10:00${CST}`, sites: ['left knee'] });
      const visit = r.session({ start: `2026-02-16T13:00:00${CST}`, minutes: 20 });
      const delivered = { ...facts, portImages: true };
      r.fraction({
        id: 'fx-1-right',
        session: visit,
        start: `2026-02-16T13:02:00${CST}`,
        minutes: 4,
        facts: delivered,
        basedOn: right,
        sites: ['right knee'],
      });
      r.fraction({
        id: 'fx-1-left',
        session: visit,
        start: `2026-02-16T13:10:00${CST}`,
        minutes: 4,
        facts: delivered,
        basedOn: left,
        sites: ['left knee'],
      });
      return r;
    },
    expected: {
      description:
        'Benign treatment of both knees in one visit: a 2D opposed pair on each knee, two plans and so two isocenters, ' +
        'with one MV port film per knee and no localization imaging. Level 3 by D-3-ISO; port films give no 77387-26 (I-PORT).',
      rules: ['D-3-ISO', 'I-PORT'],
      sessions: [session(['a5-fx-1-right', 'a5-fx-1-left'], { ...level('77412'), ...noGuidance }, [], ['I-SIGN', 'I-PC', 'D-3-PAYER'])],
      orders: [{ order: 'ServiceRequest/a5-rx', expectedDeliveryCode: '77412', findingRules: [], absentFindingRules: [] }],
      sessionCount: 1,
    },
  },
  {
    name: 'ig-pelvis-imrt-cbct-awaiting-approval',
    tag: 'ig',
    demo: { title: 'Unsigned images', description: 'Pelvic IMRT with CBCT; the latest images are not approved yet' },
    build() {
      const r = new PatientRecord({
        tag: 'ig',
        payer: 'medicare',
        patient: { id: 'pt-40689', family: 'Delacroix', given: 'Simone', gender: 'female', birthDate: '1963-05-02', mrn: 'LRC-040689' },
      });
      const { plan } = courseAndPlan(r, {
        facts: IMRT_CBCT,
        start: '2026-03-09',
        authoredOn: `2026-02-27T11:30:00${CST}`,
        planned: `2026-03-05T15:45:00${CST}`,
        fractions: 25,
      });
      const first = r.fraction({ start: `2026-03-09T14:30:00${CDT}`, facts: IMRT_CBCT, basedOn: plan });
      r.approveImages(first, `2026-03-09T17:10:00${CDT}`, 'eklund');
      r.fraction({ start: `2026-03-10T14:30:00${CDT}`, facts: IMRT_CBCT, basedOn: plan });
      return r;
    },
    expected: {
      description:
        'Pelvic IMRT with a cone-beam CT before each fraction. The first day was approved that evening; the second ' +
        'day, the latest in the record, has no approval yet and nothing was delivered after it: its 77387-26 is pending, ' +
        'with an I-SIGN warning to approve before the next fraction.',
      rules: ['I-SIGN', 'D-2'],
      sessions: [
        session(['ig-fx-1'], { ...level('77407'), ...billable }, [], ['I-SIGN']),
        session(['ig-fx-2'], { ...level('77407'), igrtProfessional: '77387-26', igrtStatus: 'pending' }, ['I-SIGN']),
      ],
      orders: [],
    },
  },
  {
    name: 'il-tonsil-imrt-images-approved-late',
    tag: 'il',
    build() {
      const r = new PatientRecord({
        tag: 'il',
        payer: 'medicare',
        patient: { id: 'pt-40794', family: 'Abernathy', given: 'Cole', gender: 'male', birthDate: '1967-12-11', mrn: 'LRC-040794' },
      });
      const { plan } = courseAndPlan(r, {
        facts: IMRT_CBCT,
        start: '2026-02-23',
        authoredOn: `2026-02-11T08:50:00${CST}`,
        planned: `2026-02-19T13:00:00${CST}`,
        fractions: 35,
      });
      const first = r.fraction({ start: `2026-02-23T09:30:00${CST}`, facts: IMRT_CBCT, basedOn: plan });
      const second = r.fraction({ start: `2026-02-24T09:30:00${CST}`, facts: IMRT_CBCT, basedOn: plan });
      r.approveImages(first, `2026-02-24T15:20:00${CST}`);
      r.approveImages(second, `2026-02-24T15:21:00${CST}`);
      return r;
    },
    expected: {
      description:
        'Oropharynx IMRT with cone-beam CT. The physician approved both days’ images together on the second afternoon: ' +
        'the first day’s review came after the next beam-on, so its 77387-26 cannot be supported (I-SIGN critical); the ' +
        'second day’s approval was in time.',
      rules: ['I-SIGN'],
      sessions: [
        session(['il-fx-1'], { ...level('77407'), igrtProfessional: null, igrtStatus: 'not-supportable' }, ['I-SIGN']),
        session(['il-fx-2'], { ...level('77407'), ...billable }, [], ['I-SIGN']),
      ],
      orders: [],
    },
  },
  {
    name: 'am-pancreas-fiducial-tracking-log-unsigned',
    tag: 'am',
    demo: { title: 'Unsigned tracking log', description: 'Pancreas IMRT with fiducial tracking; day 1’s log was not signed before day 2' },
    build() {
      const r = new PatientRecord({
        tag: 'am',
        payer: 'medicare',
        patient: { id: 'pt-40815', family: 'Nakashima', given: 'Kenji', gender: 'male', birthDate: '1955-08-19', mrn: 'LRC-040815' },
      });
      const facts = { modality: 'photon', technique: 'imrt', isocenters: 1, intrafraction: ['fiducial'] };
      const { plan } = courseAndPlan(r, {
        facts: {
          ...facts,
          necessity:
            'The pancreatic head moves up to 14 mm with respiration on 4D CT, next to the duodenum; the seeds are tracked ' +
            'live so delivery pauses whenever the target leaves its margin.',
        },
        start: '2026-04-06',
        authoredOn: `2026-03-24T10:00:00${CDT}`,
        planned: `2026-04-01T12:30:00${CDT}`,
        fractions: 28,
      });
      for (const [day, signedAt] of [
        ['06', null],
        ['07', `2026-04-07T16:45:00${CDT}`],
      ]) {
        const start = `2026-04-${day}T11:00:00${CDT}`;
        const fx = r.fraction({ start, minutes: 14, facts, basedOn: plan });
        r.ammRecord(fx, { from: start, to: `2026-04-${day}T11:14:00${CDT}`, signedAt, note: 'Fiducial tracking log' });
      }
      return r;
    },
    expected: {
      description:
        'Pancreas IMRT with implanted seeds tracked during beam-on, ordered with a patient-specific reason. The first ' +
        'day’s tracking log was never signed and the second day has been treated: Level 3 stands (A-SIGN does not lower ' +
        'the level), but the first day’s 77387-26 is lost; the second day’s log was signed in time.',
      rules: ['D-3-AMM', 'A-SIGN', 'I-SIGN', 'I-PC'],
      sessions: [
        session(['am-fx-1'], { ...level('77412'), igrtProfessional: null, igrtStatus: 'not-supportable' }, ['A-SIGN']),
        session(['am-fx-2'], { ...level('77412'), ...billable }, [], ['A-SIGN']),
      ],
      orders: [],
    },
  },
  {
    name: 'au-lung-vmat-gating-authorized-lower',
    tag: 'au',
    demo: { title: 'Authorization mismatch', description: 'Gated lung VMAT ordered; the payer authorized 77407' },
    build() {
      const r = new PatientRecord({
        tag: 'au',
        payer: 'commercial',
        patient: { id: 'pt-40926', family: 'Szabo', given: 'Gabor', gender: 'male', birthDate: '1960-02-27', mrn: 'LRC-040926' },
      });
      r.prescription({
        facts: {
          modality: 'photon',
          technique: 'vmat',
          isocenters: 1,
          guidance: ['cbct'],
          respiratory: 'gating',
          necessity:
            'Right lower lobe tumor moves 18 mm craniocaudally on the 4D planning scan; treating only in the exhale ' +
            'window shrinks the target volume and keeps the mean lung dose under the limit.',
        },
        start: '2026-04-13',
        authoredOn: `2026-04-01T15:20:00${CDT}`,
        fractions: 30,
        sites: ['lung'],
        by: 'eklund',
      });
      r.preauthorization({
        items: [
          ['77407', 30],
          ['77387', 30],
        ],
        created: `2026-04-08T09:00:00${CDT}`,
        period: { start: '2026-04-13', end: '2026-06-30' },
        reference: 'GLHP-PA-7731',
      });
      return r;
    },
    expected: {
      description:
        'Gated VMAT for a mobile lower-lobe lung tumor, ordered with a reason specific to this patient; the payer’s ' +
        'authorization covers 77407 while the order describes 77412 (D-3-AMM): C-AUTH-MISMATCH before treatment starts.',
      rules: ['C-AUTH-MISMATCH', 'D-3-AMM'],
      sessions: [],
      orders: [
        {
          order: 'ServiceRequest/au-rx',
          expectedDeliveryCode: '77412',
          findingRules: ['C-AUTH-MISMATCH'],
          absentFindingRules: ['A-NEED', 'A-NEED-SPECIFIC'],
        },
      ],
      sessionCount: 0,
    },
  },
  {
    name: 'ac-rectum-imrt-authorization-in-2025-codes',
    tag: 'ac',
    build() {
      const r = new PatientRecord({
        tag: 'ac',
        payer: 'commercial',
        patient: { id: 'pt-41037', family: 'Fairweather', given: 'Lena', gender: 'female', birthDate: '1969-10-05', mrn: 'LRC-041037' },
      });
      r.prescription({ facts: IMRT_CBCT, start: '2026-01-12', authoredOn: `2026-01-05T13:00:00${CST}`, fractions: 28 });
      r.preauthorization({
        items: [
          ['77385', 28],
          ['77014', 28],
        ],
        created: `2025-12-18T10:30:00${CST}`,
        period: { start: '2025-12-22', end: '2026-03-31' },
        reference: 'GLHP-PA-6120',
      });
      return r;
    },
    expected: {
      description:
        'Rectal IMRT with cone-beam CT ordered for January 2026, under an authorization issued in December 2025 for a ' +
        'period starting then, written in codes deleted on 2026-01-01 (IMRT delivery 77385, CT guidance 77014): ' +
        'C-DELETED and C-AUTH-2025 on the order, whose 2026 code is 77407.',
      rules: ['C-DELETED', 'C-AUTH-2025'],
      sessions: [],
      orders: [{ order: 'ServiceRequest/ac-rx', expectedDeliveryCode: '77407', findingRules: ['C-DELETED', 'C-AUTH-2025'], absentFindingRules: [] }],
      sessionCount: 0,
    },
  },
  {
    name: 'gn-liver-gating-no-necessity-statement',
    tag: 'gn',
    build() {
      const r = new PatientRecord({
        tag: 'gn',
        payer: 'medicare',
        patient: { id: 'pt-41148', family: 'Moreau', given: 'Etienne', gender: 'male', birthDate: '1950-04-21', mrn: 'LRC-041148' },
      });
      const facts = { modality: 'photon', technique: 'vmat', isocenters: 1, guidance: ['cbct'], respiratory: 'gating' };
      const { plan } = courseAndPlan(r, {
        facts,
        start: '2026-03-16',
        authoredOn: `2026-03-04T09:40:00${CST}`,
        planned: `2026-03-12T11:00:00${CDT}`,
        fractions: 15,
      });
      const start = `2026-03-16T10:00:00${CDT}`;
      const fx = r.fraction({ start, minutes: 16, facts, basedOn: plan });
      r.approveImages(fx, `2026-03-16T12:30:00${CDT}`);
      r.ammRecord(fx, { from: start, to: `2026-03-16T10:16:00${CDT}`, signedAt: `2026-03-16T12:32:00${CDT}`, note: 'Gating log' });
      return r;
    },
    expected: {
      description:
        'Liver VMAT gated on the breathing trace, delivered and logged, with the log and the images signed; the order ' +
        'gives no reason why gating is needed for this patient: Level 3 stands, with an A-NEED warning (a denial risk) ' +
        'on the order and on the session.',
      rules: ['A-NEED', 'D-3-AMM'],
      sessions: [session(['gn-fx-1'], { ...level('77412'), ...billable }, ['A-NEED'])],
      orders: [{ order: 'ServiceRequest/gn-rx', expectedDeliveryCode: '77412', findingRules: ['A-NEED'], absentFindingRules: [] }],
    },
  },
  {
    name: 'sb-lung-sbrt-cbct',
    tag: 'sb',
    build() {
      const r = new PatientRecord({
        tag: 'sb',
        payer: 'medicare',
        patient: { id: 'pt-41259', family: 'Ostrowski', given: 'Walter', gender: 'male', birthDate: '1944-07-09', mrn: 'LRC-041259' },
      });
      const facts = { modality: 'photon', technique: 'vmat', special: 'sbrt', isocenters: 1, guidance: ['cbct'] };
      const { plan } = courseAndPlan(r, {
        facts,
        start: '2026-02-17',
        authoredOn: `2026-02-06T10:10:00${CST}`,
        planned: `2026-02-13T09:30:00${CST}`,
        fractions: 5,
        sites: ['lung'],
      });
      for (const day of ['17', '19']) {
        const fx = r.fraction({ start: `2026-02-${day}T13:15:00${CST}`, minutes: 20, facts, basedOn: plan, sites: ['lung'] });
        r.approveImages(fx, `2026-02-${day}T13:14:00${CST}`);
      }
      return r;
    },
    expected: {
      description:
        'Peripheral lung nodule treated with stereotactic body radiotherapy in five fractions, cone-beam CT before each: ' +
        'outside the 77402-77412 family (D-OUT, SBRT 77373), and image guidance is bundled with it (I-BUNDLED).',
      rules: ['D-OUT', 'I-BUNDLED'],
      sessions: [
        session(['sb-fx-1'], { ...level(null), ...noGuidance, outOfFamilyContains: '77373' }, ['D-OUT', 'I-BUNDLED']),
        session(['sb-fx-2'], { ...level(null), ...noGuidance, outOfFamilyContains: '77373' }, ['D-OUT', 'I-BUNDLED']),
      ],
      orders: [],
    },
  },
  {
    name: 'mt-brain-photons-technique-not-recorded',
    tag: 'mt',
    build() {
      const r = new PatientRecord({
        tag: 'mt',
        payer: 'medicare',
        patient: { id: 'pt-41811', family: 'Whitaker', given: 'Rosalind', gender: 'female', birthDate: '1951-10-30', mrn: 'LRC-041811' },
      });
      // The export names the beam (photons) but neither the fraction nor its plan says how it was shaped.
      const facts = { modality: 'photon', isocenters: 1 };
      const { plan } = courseAndPlan(r, {
        facts,
        start: '2026-02-24',
        authoredOn: `2026-02-19T15:00:00${CST}`,
        planned: `2026-02-20T12:00:00${CST}`,
        fractions: 10,
      });
      r.fraction({ start: `2026-02-24T11:20:00${CST}`, minutes: 5, facts, basedOn: plan });
      return r;
    },
    expected: {
      description:
        'Whole-brain photons whose fraction and plan both leave out the technique (2D, 3D or IMRT): the level cannot ' +
        'be derived and is never guessed; D-UNKNOWN, critical, names the missing fact.',
      rules: ['D-UNKNOWN'],
      sessions: [session(['mt-fx-1'], { ...level(null), ...noGuidance }, ['D-UNKNOWN'])],
      orders: [{ order: 'ServiceRequest/mt-rx', expectedDeliveryCode: null, findingRules: ['D-UNKNOWN'], absentFindingRules: [] }],
    },
  },
  {
    name: 'x4-breast-course-as-phase-summaries',
    tag: 'x4',
    demo: { title: 'Summaries only', description: 'Breast and nodes, then an electron boost, exported as phase summaries' },
    build() {
      const r = new PatientRecord({
        tag: 'x4',
        payer: 'medicare',
        patient: { id: 'pt-41362', family: 'Quintero', given: 'Alma', gender: 'female', birthDate: '1966-03-14', mrn: 'LRC-041362' },
      });
      const breast = { modality: 'photon', technique: '3d', isocenters: 1, guidance: ['kv'] };
      const nodes = { modality: 'photon', technique: '3d', isocenters: 1 };
      const boost = { modality: 'electron' };
      const course = r.prescription({
        facts: { modality: ['photon', 'electron'], technique: '3d' },
        start: '2026-01-05',
        authoredOn: `2025-12-22T10:00:00${CST}`,
        fractions: 20,
        sites: ['breast'],
      });
      const phase = (id, facts, fractions, sites) =>
        r.prescription({ id, kind: 'phase', facts, start: '2026-01-05', authoredOn: `2025-12-22T10:05:00${CST}`, fractions, sites, basedOn: course });
      const rx1 = phase('rx-phase-1', breast, 16, ['breast']);
      const rx2 = phase('rx-phase-2', nodes, 16, ['supraclavicular nodes']);
      const rx3 = phase('rx-phase-3', boost, 4, ['breast']);
      const summary = r.courseSummary({
        sessions: 20,
        start: `2026-01-05T08:30:00${CST}`,
        end: `2026-01-30T08:45:00${CST}`,
        basedOn: course,
        sites: ['breast'],
      });
      const period = { start: `2026-01-05T08:30:00${CST}`, end: `2026-01-26T08:50:00${CST}` };
      r.treatedPhase({ id: 'phase-1', facts: { ...breast, fractionsDelivered: 16 }, ...period, basedOn: rx1, partOf: summary, sites: ['breast'] });
      r.treatedPhase({
        id: 'phase-2',
        facts: { ...nodes, fractionsDelivered: 16 },
        ...period,
        basedOn: rx2,
        partOf: summary,
        sites: ['supraclavicular nodes'],
      });
      r.treatedPhase({
        id: 'phase-3',
        facts: { ...boost, fractionsDelivered: 4 },
        start: `2026-01-27T08:30:00${CST}`,
        end: `2026-01-30T08:45:00${CST}`,
        basedOn: rx3,
        partOf: summary,
        sites: ['breast'],
      });
      return r;
    },
    expected: {
      description:
        'A finished breast course that the treatment system exported only as summaries: 16 fractions of 3D tangents with ' +
        'kV imaging and, over the same days under another plan, 16 fractions to the supraclavicular nodes, then a ' +
        '4-fraction electron boost; a course summary above them; no Treated Fraction records. No session can be billed ' +
        'from summaries: each phase is reported with what its fractions describe (D-SUMMARY), and the overlapping photon ' +
        'phases are said to be 77412 on the days that deliver both (D-COURSE).',
      rules: ['D-SUMMARY', 'D-COURSE'],
      sessions: [],
      orders: [{ order: 'ServiceRequest/x4-rx', expectedDeliveryCode: null, findingRules: ['D-COURSE'], absentFindingRules: ['D-UNKNOWN'] }],
      sessionCount: 0,
      phases: [
        {
          procedure: 'Procedure/x4-phase-1',
          kind: 'phase',
          fractionsDelivered: 16,
          fractionRecords: 0,
          deliveryCode: '77407',
          igrtProfessional: '77387-26',
          findingRules: ['D-SUMMARY', 'D-COURSE'],
        },
        {
          procedure: 'Procedure/x4-phase-2',
          kind: 'phase',
          fractionsDelivered: 16,
          fractionRecords: 0,
          deliveryCode: '77407',
          igrtProfessional: null,
          findingRules: ['D-SUMMARY', 'D-COURSE'],
        },
        {
          procedure: 'Procedure/x4-phase-3',
          kind: 'phase',
          fractionsDelivered: 4,
          fractionRecords: 0,
          deliveryCode: '77402',
          igrtProfessional: null,
          findingRules: ['D-SUMMARY'],
        },
      ],
    },
  },
  {
    name: 'x6-prostate-phase-counts-more-fractions',
    tag: 'x6',
    demo: { title: 'A fraction missing', description: 'Prostate IMRT: the phase summary counts 3 fractions, the record holds 2' },
    build() {
      const r = new PatientRecord({
        tag: 'x6',
        payer: 'medicare',
        patient: { id: 'pt-41475', family: 'Lindgren', given: 'Axel', gender: 'male', birthDate: '1957-09-28', mrn: 'LRC-041475' },
      });
      const rx = r.prescription({
        id: 'rx-phase-1',
        kind: 'phase',
        facts: IMRT_CBCT,
        start: '2026-03-16',
        authoredOn: `2026-03-05T09:00:00${CST}`,
        fractions: 20,
        sites: ['prostate'],
      });
      const plan = r.plan({ basedOn: rx, facts: IMRT_CBCT, authoredOn: `2026-03-12T14:00:00${CDT}`, sites: ['prostate'] });
      const summary = r.treatedPhase({
        id: 'phase-1',
        facts: { ...IMRT_CBCT, fractionsDelivered: 3 },
        start: `2026-03-16T07:30:00${CDT}`,
        status: 'in-progress',
        basedOn: rx,
        sites: ['prostate'],
      });
      for (const day of ['16', '17']) {
        const fx = r.fraction({ start: `2026-03-${day}T07:30:00${CDT}`, facts: IMRT_CBCT, basedOn: plan, partOf: summary, sites: ['prostate'] });
        r.approveImages(fx, `2026-03-${day}T07:29:00${CDT}`);
      }
      return r;
    },
    expected: {
      description:
        'Prostate IMRT with cone-beam CT approved at the console before each beam-on. The phase summary, still in ' +
        'progress, counts 3 fractions delivered while the record holds Treated Fraction records for 2: a session is ' +
        'missing from the record (D-COUNT); the two present are Level 2 with 77387-26.',
      rules: ['D-COUNT', 'D-2'],
      sessions: [session(['x6-fx-1'], { ...level('77407'), ...billable }), session(['x6-fx-2'], { ...level('77407'), ...billable })],
      orders: [],
      sessionCount: 2,
      phases: [
        {
          procedure: 'Procedure/x6-phase-1',
          kind: 'phase',
          fractionsDelivered: 3,
          fractionRecords: 2,
          deliveryCode: '77407',
          findingRules: ['D-COUNT'],
        },
      ],
    },
  },
  {
    name: 'cm-prostate-transponders-charges-match',
    tag: 'cm',
    build() {
      const r = new PatientRecord({
        tag: 'cm',
        payer: 'medicare',
        patient: { id: 'pt-41586', family: 'Achebe', given: 'Chidi', gender: 'male', birthDate: '1953-02-12', mrn: 'LRC-041586' },
      });
      const facts = { modality: 'photon', technique: 'vmat', isocenters: 1, intrafraction: ['electromagnetic'] };
      const { plan } = courseAndPlan(r, {
        facts: {
          ...facts,
          necessity:
            'Rectal filling shifted the prostate by more than 5 mm within single fractions during simulation; with a 3 mm ' +
            'margin, treatment stops whenever the transponders drift beyond it.',
        },
        start: '2026-02-09',
        authoredOn: `2026-01-27T10:20:00${CST}`,
        planned: `2026-02-04T15:30:00${CST}`,
        fractions: 5,
        sites: ['prostate'],
      });
      for (const day of ['09', '10']) {
        const start = `2026-02-${day}T15:00:00${CST}`;
        const fx = r.fraction({ start, minutes: 9, facts, basedOn: plan, sites: ['prostate'] });
        r.ammRecord(fx, {
          from: start,
          to: `2026-02-${day}T15:09:00${CST}`,
          signedAt: `2026-02-${day}T17:30:00${CST}`,
          note: 'Transponder tracking log',
        });
        const visit = `Encounter/cm-enc-${Number(day) - 8}`;
        r.charge({ id: `charge-${day}-delivery`, code: '77412', date: `2026-02-${day}`, session: visit, fraction: fx });
        r.charge({ id: `charge-${day}-guidance`, code: '77387', modifier: '26', date: `2026-02-${day}`, session: visit, fraction: fx });
      }
      return r;
    },
    expected: {
      description:
        'Prostate VMAT with electromagnetic transponders tracked during beam-on, ordered with a reason, each tracking log ' +
        'signed the same day; the charges on file are 77412 and 77387-26 for each of the two sessions, exactly what the ' +
        'record supports: no B finding.',
      rules: ['B-MISSED', 'B-LEVEL', 'B-26', 'B-DUPLICATE', 'B-NONE'],
      sessions: [
        session(['cm-fx-1'], { ...level('77412'), ...billable }, [], [...B_RULES, 'A-RECORD', 'A-SIGN']),
        session(['cm-fx-2'], { ...level('77412'), ...billable }, [], [...B_RULES, 'A-RECORD', 'A-SIGN']),
      ],
      orders: [],
      sessionCount: 2,
      absentTopFindingRules: ['B-NONE', 'B-UNMATCHED', 'B-DELETED', ...B_RULES],
    },
  },
  {
    name: 'co-breast-gating-log-missing-overbilled',
    tag: 'co',
    build() {
      const r = new PatientRecord({
        tag: 'co',
        payer: 'medicare',
        patient: { id: 'pt-41697', family: 'Brandt', given: 'Helga', gender: 'female', birthDate: '1962-12-01', mrn: 'LRC-041697' },
      });
      const facts = { modality: 'photon', technique: '3d', isocenters: 1, guidance: ['kv'], respiratory: 'gating' };
      const { plan } = courseAndPlan(r, {
        facts: {
          ...facts,
          necessity:
            'Left breast tumor bed over the heart; the heart leaves the tangent fields only near end-inhalation, so the ' +
            'beam is held outside that window.',
        },
        start: '2026-04-20',
        authoredOn: `2026-04-08T11:00:00${CDT}`,
        planned: `2026-04-16T10:00:00${CDT}`,
        fractions: 16,
        sites: ['left breast'],
      });
      for (const day of ['20', '21']) {
        const start = `2026-04-${day}T09:00:00${CDT}`;
        const fx = r.fraction({ start, minutes: 12, facts, basedOn: plan, sites: ['left breast'] });
        r.approveImages(fx, `2026-04-${day}T11:00:00${CDT}`);
        if (day === '20')
          r.ammRecord(fx, { from: start, to: `2026-04-${day}T09:12:00${CDT}`, signedAt: `2026-04-${day}T11:02:00${CDT}`, note: 'Gating log' });
        const visit = `Encounter/co-enc-${Number(day) - 19}`;
        r.charge({ id: `charge-${day}-delivery`, code: '77412', date: `2026-04-${day}`, session: visit, fraction: fx });
        r.charge({ id: `charge-${day}-guidance`, code: '77387', modifier: '26', date: `2026-04-${day}`, session: visit, fraction: fx });
      }
      return r;
    },
    expected: {
      description:
        'Gated left breast tangents, ordered with a reason. The first session has its gating log and is charged as ' +
        'supported. The second session has no gating log, so its Level 3 (resting on motion management alone) is not ' +
        'documented and the record supports 77407 (A-RECORD); it was charged 77412: overbilling (B-LEVEL, critical).',
      rules: ['B-LEVEL', 'A-RECORD', 'D-3-AMM'],
      sessions: [
        session(['co-fx-1'], { ...level('77412'), ...billable }, [], [...B_RULES, 'A-RECORD']),
        session(['co-fx-2'], { ...level('77412', '77407'), ...billable }, ['B-LEVEL', 'A-RECORD'], ['B-26', 'B-DUPLICATE']),
      ],
      orders: [],
      sessionCount: 2,
      absentTopFindingRules: ['B-NONE', 'B-UNMATCHED', 'B-DELETED'],
    },
  },
  {
    name: 'cp-prostate-imrt-guidance-not-charged',
    tag: 'cp',
    build() {
      const r = new PatientRecord({
        tag: 'cp',
        payer: 'medicare',
        patient: { id: 'pt-41708', family: 'Petrov', given: 'Dmitri', gender: 'male', birthDate: '1959-05-25', mrn: 'LRC-041708' },
      });
      const facts = { modality: 'photon', technique: 'imrt', isocenters: 1, guidance: ['kv'] };
      const { plan } = courseAndPlan(r, {
        facts,
        start: '2026-02-02',
        authoredOn: `2026-01-21T10:00:00${CST}`,
        planned: `2026-01-29T16:00:00${CST}`,
        fractions: 20,
        sites: ['prostate'],
      });
      for (const day of ['02', '03']) {
        const fx = r.fraction({ start: `2026-02-${day}T16:00:00${CST}`, minutes: 8, facts, basedOn: plan, sites: ['prostate'] });
        r.approveImages(fx, `2026-02-${day}T17:15:00${CST}`, 'eklund');
        const visit = `Encounter/cp-enc-${Number(day) - 1}`;
        r.charge({ id: `charge-${day}-delivery`, code: '77407', date: `2026-02-${day}`, session: visit, fraction: fx });
        if (day === '02')
          r.charge({ id: `charge-${day}-guidance`, code: '77387', modifier: '26', date: `2026-02-${day}`, session: visit, fraction: fx });
      }
      return r;
    },
    expected: {
      description:
        'Prostate IMRT with kV pairs approved after each session and before the next: 77387-26 is billable on both days. ' +
        'The first day was charged 77407 and 77387-26; the second day only 77407: its professional guidance charge was ' +
        'missed (B-MISSED).',
      rules: ['B-MISSED', 'I-SIGN', 'D-2'],
      sessions: [
        session(['cp-fx-1'], { ...level('77407'), ...billable }, [], [...B_RULES, 'I-SIGN']),
        session(['cp-fx-2'], { ...level('77407'), ...billable }, ['B-MISSED'], ['B-LEVEL', 'B-26', 'B-DUPLICATE', 'I-SIGN']),
      ],
      orders: [],
      sessionCount: 2,
      absentTopFindingRules: ['B-NONE', 'B-UNMATCHED', 'B-DELETED'],
    },
  },
];
