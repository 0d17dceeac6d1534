import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnService } from '../helpers/processes.js';

/** Spec P: policy files are checked at start; a bad one stops the service, naming the file and the field. */
describe('PAYER_POLICY_DIR at start', () => {
  it('npm start refuses a bad policy file with exit code 1, naming the file and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtb-start-policies-'));
    writeFileSync(
      join(dir, 'acme.yaml'),
      'id: acme\nversion: 1\nname: Acme\nsource: manual\neffective: { from: 2026-01-01 }\napplies: { payorNames: [Acme] }\nrates:\n  - { code: "77412", amount: lots, from: 2026-01-01 }\n',
    );
    await expect(spawnService({ PAYER_POLICY_DIR: dir, DEMO: 'off', FEEDBACK_DB_PATH: ':memory:' })).rejects.toThrow(
      /exited \(1\).*acme\.yaml: rates\[0\]\.amount/s,
    );
  });
});
