import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../src/runtime-flags.js';

describe('the V8 flags the service runs with', () => {
  it('npm start and the container run with the same flags as the benchmark servers', () => {
    const start = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    for (const flag of NODE_FLAGS) {
      expect(start).toContain(flag);
      expect(dockerfile).toContain(`"${flag}"`);
    }
  });
});
