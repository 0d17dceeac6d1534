#!/usr/bin/env node
// Builds fixtures/ (the embedded demo's FHIR data) from golden cases in ../shared/cases and from HL7's CodeX RT
// examples in ../shared/examples/codex-ig (their 2026 versions). Each becomes one demo patient; its ids get a prefix
// so that they can share one FHIR server.
// Run: node scripts/make-demo-fixtures.mjs   (the output is committed; npm start only reads fixtures/)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const CASES = '../shared/cases';
const CODEX_IG = '../shared/examples/codex-ig';
const DEMO = [
  ['a1', 'acro-1-appa-2d-no-igrt', 'ACRO scenario 1', 'AP/PA 2D, no IGRT'],
  ['a2', 'acro-2-prostate-imrt-stereoscopic', 'ACRO scenario 2', 'Prostate IMRT, stereoscopic x-ray guidance'],
  ['a3', 'acro-3-breast-vmat-cbct', 'ACRO scenario 3', 'Breast VMAT + static field, CBCT'],
  ['a4', 'acro-4-breast-tangents-amm', 'ACRO scenario 4', 'Breast tangents with active motion management'],
  ['a5', 'acro-5-two-benign-sites-port-images', 'ACRO scenario 5', 'Two benign sites, port images only'],
  ['ig', 'igrt-unsigned-last-fraction', 'Unsigned images', 'IMRT with CBCT; latest images not yet approved'],
  ['am', 'amm-record-unsigned-next-started', 'Unsigned AMM record', 'Fiducial tracking; AMM record never signed'],
  ['au', 'order-authorized-lower-level', 'Authorization mismatch', 'VMAT with gating ordered; payer authorized 77407'],
];
/** HL7 CodeX RT IG examples: delivery recorded as phase summaries, as many radiotherapy systems export it. */
const CODEX_DEMO = [
  [
    'x4',
    'Patient-XRTS-04-22B.2026',
    'CodeX RT: breast, summaries only',
    'HL7 IG example: gated tangents and an overlapping electron boost, treated phases only',
  ],
  ['x6', 'Patient-6.2026', 'CodeX RT: prostate, a fraction missing', 'HL7 IG example: the phase reports 2 fractions, the record holds 1'],
];

function prefixed(value, prefix) {
  if (Array.isArray(value)) return value.map((v) => prefixed(v, prefix));
  if (!value || typeof value !== 'object') return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'reference' && typeof v === 'string') out[key] = v.replace(/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]+)$/, `$1/${prefix}-$2`);
    else if (key === 'id' && typeof v === 'string' && typeof value.resourceType === 'string') out[key] = `${prefix}-${v}`;
    else out[key] = prefixed(v, prefix);
  }
  return out;
}

mkdirSync('fixtures', { recursive: true });
const index = [];
const sources = [...DEMO.map((row) => [CASES, ...row]), ...CODEX_DEMO.map((row) => [CODEX_IG, ...row])];
for (const [folder, prefix, name, title, description] of sources) {
  const bundle = JSON.parse(readFileSync(join(folder, `${name}.bundle.json`), 'utf8'));
  const entry = bundle.entry.map((e) => {
    const resource = prefixed(e.resource, prefix);
    if (resource.resourceType === 'Patient') resource.name = [{ family: 'Demo', given: [title] }];
    return { fullUrl: `urn:rt-billing-demo:${resource.resourceType}/${resource.id}`, resource };
  });
  const file = `${prefix}-${name.replace(/\.2026$/, '').toLowerCase()}`;
  writeFileSync(
    join('fixtures', `${file}.json`),
    `${JSON.stringify({ resourceType: 'Bundle', id: `demo-${prefix}`, type: 'collection', entry }, null, 1)}\n`,
  );
  const patient = entry.find((e) => e.resource.resourceType === 'Patient').resource.id;
  index.push({ patient, title, description, case: name });
}
writeFileSync(join('fixtures', 'index.json'), `${JSON.stringify({ patients: index }, null, 1)}\n`);
console.log(`wrote ${index.length} demo patients to fixtures/`);
