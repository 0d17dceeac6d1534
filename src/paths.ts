import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root (where package.json is), whether running from src/ (tests) or dist/ (npm start). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'rt-billing-cds') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('rt-billing-cds: package root not found');
    dir = parent;
  }
}

export const PROJECT_ROOT = findRoot();
/** The built reviewer app and demo page (`npm run build`). */
export const SMART_APP_DIR = join(PROJECT_ROOT, 'dist', 'smart-app');
export const FIXTURES_DIR = join(PROJECT_ROOT, 'fixtures');
