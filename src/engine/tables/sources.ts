/** The primary documents the rules come from (`../shared/sources/`). Findings cite them by key. */
export interface SourceDocument {
  readonly key: string;
  readonly file: string;
  readonly title: string;
}

export const SOURCES = {
  '000': { key: '000', file: '000_0100c7747e084bfd.txt', title: 'ACRO Town Hall, May 2026: IGRT and treatment delivery coding for 2026' },
  '001': {
    key: '001',
    file: '001_362ab5a85344083d.txt',
    title: 'ACROinsights 2026 No. 1: coding changes for IGRT and external beam treatment delivery',
  },
  '002': { key: '002', file: '002_8cdb6f99b7cb8e7d.txt', title: 'RBS: Best practices for SGRT billing, 2026' },
  '003': { key: '003', file: '003_8f66e36aef1a6960.txt', title: 'NIA clinical guideline: image guidance coding standards (2021)' },
  '004': { key: '004', file: '004_6e9f0ba497fdfd0f.txt', title: 'Priority Health radiation oncology billing policy (2024-25)' },
  /** How delivered treatment is recorded: the rules on summaries rest on the IG's structure, not on a billing source. */
  CodeXRT: {
    key: 'CodeXRT',
    file: 'https://hl7.org/fhir/us/codex-radiation-therapy/',
    title: 'HL7 CodeX Radiation Therapy IG STU2: treated fractions, phases, plans and course summaries',
  },
  /** The service's reading rules (dates, codes it knows), where no billing source speaks. */
  spec: { key: 'spec', file: 'spec/fhir-input.md', title: 'rt-billing-cds: how the service reads FHIR (spec/fhir-input.md)' },
} as const satisfies Record<string, SourceDocument>;

export type SourceKey = keyof typeof SOURCES;

/** "001 (ACROinsights 2026 No. 1 …)" — how a finding names its source. */
export function citeSources(keys: readonly SourceKey[]): string {
  return keys.map((key) => `${key} (${SOURCES[key].title})`).join('; ');
}
