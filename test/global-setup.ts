import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, SHARED_DIR, sharedAvailable, sharedRequired } from './helpers/shared.js';

/** The test files that read the shared acceptance material (they import helpers/shared.js). */
function acceptanceFiles(dir = join(REPO_ROOT, 'test')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return acceptanceFiles(path);
    return entry.name.endsWith('.test.ts') && /helpers\/shared\.js'/.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

/**
 * Runs once per `vitest run`: without the shared acceptance material, one line at the end of the run (beside the
 * summary, where it is seen) says what was skipped and how to get it; with RT_BILLING_REQUIRE_SHARED=1 (CI) its
 * absence fails the run before any test.
 */
export default function setup(): (() => void) | undefined {
  if (sharedAvailable) return undefined;
  if (sharedRequired) {
    throw new Error(`RT_BILLING_REQUIRE_SHARED=1 but the shared acceptance material is missing at ${SHARED_DIR} (set RT_BILLING_SHARED_DIR)`);
  }
  const files = acceptanceFiles().length;
  return () => {
    console.log(
      `\nrt-billing: acceptance tests SKIPPED in ${files} files: no shared cases at ${SHARED_DIR} (set RT_BILLING_SHARED_DIR; CI requires them with RT_BILLING_REQUIRE_SHARED=1)\n`,
    );
  };
}
