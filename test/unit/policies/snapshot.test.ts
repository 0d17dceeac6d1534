import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPolicy, SHIPPED_POLICY_DIR, writePolicySnapshot } from '../../../src/policies/load.js';

/** The build's snapshot of the shipped policies: the CLI skips the YAML reader, with the same policies as a result. */
const dir = mkdtempSync(join(tmpdir(), 'rtb-policy-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NONE = join(dir, 'no-snapshot.json');
const SHIPPED = ['medicaid-ca', 'medicaid-ma', 'medicaid-tx', 'medicare-national', 'nia-managed', 'priority-health'];

describe('policy snapshot', () => {
  const snapshot = join(dir, 'policies-read.json');
  const written = writePolicySnapshot(SHIPPED_POLICY_DIR, snapshot);

  it('holds every shipped policy (dates and all), each read to the same policy as from YAML', () => {
    expect(written).toBe(SHIPPED.length);
    for (const name of SHIPPED) {
      const path = join(SHIPPED_POLICY_DIR, `${name}.yaml`);
      expect(readPolicy(path, readFileSync(path, 'utf8'), snapshot)).toEqual(readPolicy(path, readFileSync(path, 'utf8'), NONE));
    }
  });

  it('is used only for the exact text read at build time: an edited file is read as YAML', () => {
    const path = join(SHIPPED_POLICY_DIR, 'priority-health.yaml');
    const text = readFileSync(path, 'utf8');
    // A snapshot whose document was changed after the build: the lookup goes by text, so the change shows…
    const entries = JSON.parse(readFileSync(snapshot, 'utf8')) as { text: string; document: Record<string, unknown> }[];
    const changed = join(dir, 'changed.json');
    writeFileSync(
      changed,
      JSON.stringify(entries.map((e) => (e.text === text ? { ...e, document: { ...e.document, name: 'From the snapshot' } } : e))),
    );
    expect(readPolicy(path, text, changed).name).toBe('From the snapshot');
    // …and a text that differs by one character is not looked up there.
    expect(readPolicy(path, `${text}\n`, changed).name).toBe(readPolicy(path, text, NONE).name);
  });
});
