import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/engine/evaluate.js';
import { readPolicy } from '../../../src/policies/load.js';
import { engineInput, fraction, signature, SHIPPED_POLICIES } from '../../helpers/facts.js';

/** The manual's (docs/payers.md) full policy example is a working file: loaded as written, its edit run. */
const README = readFileSync(fileURLToPath(new URL('../../../docs/payers.md', import.meta.url)), 'utf8');
const section = README.slice(README.indexOf('### Policy file format'));
const example = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;

describe('docs/payers.md "Policy file format" example', () => {
  const policy = readPolicy('acme-health.yaml', example);

  it('loads as written, every field read', () => {
    expect(policy).toMatchObject({
      id: 'acme-health',
      version: '2026.2',
      codeSet: { delivery: 'legacy', until: '2026-07-01' },
      igrt: { paid: ['26'], with2d: 'not-medically-necessary' },
      port: { kind: 'edits', everyFractions: 5, notInLastFractions: 3, unitsPerCharge: 1, notWithIgrt: true },
      authorization: { codes: ['77412', '77387-26'] },
    });
    expect(policy.applies.payorIdentifiers).toEqual(['https://payers.example.org|ACME-01']);
    expect(policy.rates).toHaveLength(3);
    expect(policy.edits.map((e) => e.id)).toEqual(['ACME-IGRT-FIRST-5']);
  });

  it('matches an Acme coverage, and its edit fires on an early session with 77387-26', () => {
    const fx = fraction({
      start: '2026-03-02T09:00:00Z',
      delivered: { imageGuidance: ['cbct'] },
      imageApprovals: [signature('2026-03-02T10:00:00Z')],
    });
    const acme = {
      kind: 'commercial' as const,
      state: 'MI',
      coverage: 'Coverage/acme',
      payorName: 'Acme Health',
      payorIdentifiers: ['https://payers.example.org|ACME-01'],
    };
    const d = evaluate(engineInput({ fractions: [fx], payers: { 'Patient/p1': acme }, policies: [...SHIPPED_POLICIES, policy] }));
    const rules = d.sessions[0]!.findings.map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['P-EDIT', 'P-CODESET', 'C-AUTH-NONE']));
    expect(d.sessions[0]!.estimate?.lines.find((l) => l.code === '77387-26')?.amount).toBe(110);
  });
});
