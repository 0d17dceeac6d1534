#!/usr/bin/env node
// Builds fixtures/ (the embedded demo's FHIR data) from golden cases in ../shared/cases.
// Each case becomes one demo patient; its ids get a prefix so that cases can share one FHIR server.
// Run: node scripts/make-demo-fixtures.mjs   (the output is committed; npm start only reads fixtures/)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const CASES = '../shared/cases';
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
for (const [prefix, name, title, description] of DEMO) {
  const bundle = JSON.parse(readFileSync(join(CASES, `${name}.bundle.json`), 'utf8'));
  const entry = bundle.entry.map((e) => {
    const resource = prefixed(e.resource, prefix);
    if (resource.resourceType === 'Patient') resource.name = [{ family: 'Demo', given: [title] }];
    return { fullUrl: `urn:rt-billing-demo:${resource.resourceType}/${resource.id}`, resource };
  });
  writeFileSync(
    join('fixtures', `${prefix}-${name}.json`),
    `${JSON.stringify({ resourceType: 'Bundle', id: `demo-${prefix}`, type: 'collection', entry }, null, 1)}\n`,
  );
  const patient = entry.find((e) => e.resource.resourceType === 'Patient').resource.id;
  index.push({ patient, title, description, case: name });
}
writeFileSync(join('fixtures', 'index.json'), `${JSON.stringify({ patients: index }, null, 1)}\n`);
console.log(`wrote ${index.length} demo patients to fixtures/`);
