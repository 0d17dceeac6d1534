import type { RemittanceLineDetermination } from '../engine/remittance-types.js';
import { citeSources, type SourceKey } from '../engine/tables/sources.js';
import type { EngineInput, Finding, Fraction, SessionDetermination } from '../engine/types.js';
import type { Evaluation } from '../pipeline.js';

/**
 * Appeal packets (spec E): for each appealable remittance line, a printable HTML document and an R4 DocumentReference
 * whose content is that document. A packet holds the claim line and its denial, the 2026 coding rule with its source,
 * and only that session's evidence: its fractions and facts, AMM records and their signatures, image approvals before
 * the next beam-on, the necessity statement, isocenters, and the guideline rationale 002 gives for AMM by site.
 */
export interface AppealPacket {
  /** File name without extension: the session's date, its Encounter (or fraction) id and the code, never an account number. */
  readonly name: string;
  readonly html: string;
  readonly documentReference: Record<string, unknown>;
}

const RTB = 'https://rt-billing-cds.example/fhir/';

/** What the 2026 codes say, by the code appealed (001, 002). */
const CODING_RULES: Readonly<Record<string, { readonly text: string; readonly sources: readonly SourceKey[] }>> = {
  '77387-26': {
    text: 'CPT 2026: 77387 "Guidance for localization of target volume for delivery of radiation treatment, includes intrafraction tracking, when performed". The technical component is bundled into 77402-77412; the professional component (77387-26) is separately reportable with 77402, 77407 or 77412 when the physician reviews the guidance (I-PC, I-SIGN). There is no NCCI edit between 77387 and the treatment delivery or planning codes.',
    sources: ['001', '002'],
  },
  '77412': {
    text: 'CPT 2026: 77412 Radiation treatment delivery, Level 3: any photon therapy with active motion management, photons at two or more separate isocenters, total skin electrons, or electrons and photons in one session. Multiple isocenters, not multiple anatomic sites; active motion management is intra-fraction localization and tracking from beam-on to beam-off.',
    sources: ['001', '002'],
  },
  '77407': {
    text: 'CPT 2026: 77407 Radiation treatment delivery, Level 2: photon 3D-CRT or IMRT (VMAT counts as IMRT) at one isocenter without active motion management.',
    sources: ['001'],
  },
  '77402': {
    text: 'CPT 2026: 77402 Radiation treatment delivery, Level 1: photon 2D, or electrons only.',
    sources: ['001'],
  },
};

/** The guideline rationale 002 gives for active motion management, by treatment site. */
const AMM_RATIONALE: readonly { readonly site: RegExp; readonly text: string }[] = [
  {
    site: /breast/i,
    text: 'Breast (002): the NCCN Guidelines for Invasive Breast Cancer include respiratory control and cardiac blocking to protect the heart and surrounding critical structures; measured intra-fraction motion during DIBH (Ono et al. 2021) and reduced coronary artery, lung and liver dose with DIBH (Gough et al. 2024; Rice et al.) support monitoring during delivery.',
  },
  {
    site: /prostat/i,
    text: 'Prostate (002): the NCCN Guidelines for Prostate Cancer (Principles of Radiation Therapy) highlight real-time intrafraction volumetric tracking to enhance accuracy and safety; intra-fraction motion during prostate radiotherapy is documented (Macedo-Jiménez et al. 2025).',
  },
];

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const idPart = (ref: string | null) =>
  (ref ?? 'session')
    .split('/')
    .pop()!
    .replace(/[^A-Za-z0-9.-]/g, '-');

function evidenceRows(session: SessionDetermination, fractions: readonly Fraction[], input: EngineInput): string[] {
  const facts = session.facts;
  const rows: string[] = [
    `Fractions: ${session.fractions.join(', ')}; beam-on ${session.start ?? 'unknown'}; date of service ${session.dateOfService ?? 'unknown'}`,
    `Delivery: ${facts.modalities.join(', ') || 'modality not recorded'}, ${facts.techniques.join(', ') || 'technique not recorded'}; photon isocenters: ${facts.photonIsocenters ?? 'not recorded'}`,
    `Codes the record supports: ${session.supportedDeliveryCode ?? 'none'} (${session.supportedDeliveryRule})${session.igrtProfessional ? `, ${session.igrtProfessional} (${session.igrtStatus})` : ''}`,
    `Active motion management: ${facts.activeMotionManagement ? `yes (${facts.intrafraction.join(', ') || 'monitored'})` : 'no'}; image guidance: ${facts.imageGuidance.join(', ') || 'none'}`,
    `Next beam-on: ${facts.nextBeamOn ?? 'none yet'}`,
    ...session.signoffs.map((s) => `${s.kind === 'images' ? 'Image approval' : 'AMM record'} ${s.record}: ${s.note}`),
  ];
  const orders = new Set(fractions.flatMap((f) => (f.prescription ? [f.prescription] : [])));
  for (const order of input.prescriptions.filter((p) => orders.has(p.ref)))
    if (order.ammNecessity) rows.push(`Medical necessity for AMM (${order.ref}): ${order.ammNecessity}`);
  return rows;
}

/** The packets of an evaluation: one per appealable remittance line, for the session it concerns. */
export function appealPackets(evaluation: Evaluation, generatedAt: string): AppealPacket[] {
  const { input, determination } = evaluation;
  const lines = (determination.remittance ?? []).filter((line) => line.appealable && line.session !== null && line.rule !== null);
  const packets: AppealPacket[] = [];
  const names = new Set<string>();
  for (const line of lines) {
    const session = determination.sessions.find((s) => (s.encounter ?? s.fractions[0]) === line.session);
    if (!session) continue;
    const finding = session.findings.find((f) => f.rule === line.rule && f.message.includes(line.origin));
    if (!finding) continue;
    const fractions = input.fractions.filter((f) => session.fractions.includes(f.ref));
    let name = `appeal-${session.dateOfService ?? 'undated'}-${idPart(line.session)}-${line.billedCode}`;
    for (let n = 2; names.has(name); n++) name = `appeal-${session.dateOfService ?? 'undated'}-${idPart(line.session)}-${line.billedCode}-${n}`;
    names.add(name);
    const html = renderPacket(line, session, finding, evidenceRows(session, fractions, input), fractions, generatedAt);
    packets.push({ name, html, documentReference: documentReference(name, line, session, html, generatedAt) });
  }
  return packets;
}

function renderPacket(
  line: RemittanceLineDetermination,
  session: SessionDetermination,
  finding: Finding,
  evidence: readonly string[],
  fractions: readonly Fraction[],
  generatedAt: string,
): string {
  const rule = CODING_RULES[line.billedCode] ?? CODING_RULES[line.billedCode.split('-')[0]!];
  const sites = [...new Set(fractions.flatMap((f) => f.bodySites))];
  const rationale = session.facts.activeMotionManagement ? AMM_RATIONALE.filter((r) => sites.some((site) => r.site.test(site))) : [];
  const li = (items: readonly string[]) => items.map((item) => `<li>${escape(item)}</li>`).join('');
  const reasons = line.reasons.map((r) => `${r.group}-${r.code} ($${r.amount.toFixed(2)}): ${r.text}`);
  const remarks = line.remarks.map((r) => `${r.code}: ${r.text}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Appeal: ${escape(line.billedCode)}, ${escape(session.dateOfService ?? '')}</title>
<style>body{font-family:Georgia,serif;max-width:48rem;margin:2rem auto;line-height:1.45;color:#111}h1{font-size:1.4rem}h2{font-size:1.1rem;border-bottom:1px solid #999;margin-top:1.6rem}dt{font-weight:bold}@media print{body{margin:0}}</style>
</head><body>
<h1>Request for reconsideration: ${escape(line.billedCode)}, date of service ${escape(session.dateOfService ?? 'unknown')}</h1>
<h2>The claim line</h2>
<dl><dt>Code billed</dt><dd>${escape(line.billedCode)}${line.code !== line.billedCode ? ` (adjudicated as ${escape(line.code)})` : ''}</dd>
<dt>Date of service</dt><dd>${escape(line.date ?? 'unknown')}</dd>
<dt>Payer</dt><dd>${escape(line.payer ?? 'not named')}</dd>
<dt>Charged / paid</dt><dd>${line.charged === null ? 'not given' : `$${line.charged.toFixed(2)}`} / $${line.paid.toFixed(2)}${line.expected !== null ? ` (policy rate $${line.expected.toFixed(2)})` : ''}</dd>
<dt>Remittance</dt><dd>${escape(line.origin)}</dd></dl>
<h2>The denial</h2>
<ul>${li(reasons.length > 0 ? reasons : ['no adjustment reason given'])}${li(remarks)}</ul>
<h2>Why it should be paid (${escape(finding.rule)})</h2>
<p>${escape(finding.message)}</p>
${rule ? `<h2>The 2026 coding rule</h2><p>${escape(rule.text)}</p><p><small>Source: ${escape(citeSources(rule.sources))}</small></p>` : ''}
<h2>The record of this session</h2>
<ul>${li(evidence)}</ul>
${rationale.length > 0 ? `<h2>Clinical rationale for active motion management</h2>${rationale.map((r) => `<p>${escape(r.text)}</p>`).join('')}` : ''}
<p><small>Finding source: ${escape(finding.source)}. Prepared by rt-billing-cds on ${escape(generatedAt)} from the record of this session only.</small></p>
</body></html>
`;
}

function documentReference(name: string, line: RemittanceLineDetermination, session: SessionDetermination, html: string, generatedAt: string) {
  const related = [...(session.encounter ? [session.encounter] : []), ...session.fractions, ...(line.charge ? [line.charge] : [])];
  return {
    resourceType: 'DocumentReference',
    id: name,
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ system: `${RTB}CodeSystem/rt-document-type`, code: 'appeal-packet', display: 'Claim denial appeal packet' }] },
    ...(session.patient ? { subject: { reference: session.patient } } : {}),
    date: generatedAt,
    description: `Appeal of ${line.billedCode} for ${session.dateOfService ?? 'an undated session'} (${line.rule})`,
    content: [
      { attachment: { contentType: 'text/html', language: 'en', data: Buffer.from(html, 'utf8').toString('base64'), title: `${name}.html` } },
    ],
    context: {
      ...(session.encounter ? { encounter: [{ reference: session.encounter }] } : {}),
      related: related.map((reference) => ({ reference })),
    },
  };
}
