import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The acceptance material kept outside the repository (`../shared` beside it on the team's machines and in CI: the
 * golden cases, the spec, HL7's CodeX RT examples). A clone without it still passes `npm test`: the tests that read it
 * are skipped, and test/global-setup.ts says so in one line. CI sets RT_BILLING_REQUIRE_SHARED=1, which turns a
 * missing folder into a failed run.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED_DIR = resolve(REPO_ROOT, process.env.RT_BILLING_SHARED_DIR ?? join('..', 'shared'));
export const sharedRequired = process.env.RT_BILLING_REQUIRE_SHARED === '1';
/** The folder is there when it holds the golden cases and the spec; a folder with only part of them fails loudly. */
export const sharedAvailable = existsSync(join(SHARED_DIR, 'cases')) && existsSync(join(SHARED_DIR, 'spec'));
/** A path inside the shared folder (whether or not it exists: use it under `describe.skipIf(!sharedAvailable)`). */
export const sharedPath = (...parts: string[]): string => join(SHARED_DIR, ...parts);

/** The golden cases (the acceptance tests) and the reconciliation golden cases. */
export const CASES_DIR = sharedPath('cases');
export const CHARGE_CASES_DIR = sharedPath('cases-charges');
