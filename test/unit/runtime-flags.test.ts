import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../../src/runtime-flags.js';

describe('the V8 flags the service runs with', () => {
  it('npm start and the container run with exactly the flags of the benchmark servers', () => {
    const start = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;
    // `node <flags> dist/src/server.js`
    const startArgs = start.split(/\s+/);
    expect(startArgs[0]).toBe('node');
    expect(startArgs.at(-1)).toBe('dist/src/server.js');
    expect(startArgs.slice(1, -1)).toEqual(NODE_FLAGS);
    // CMD ["node", <flags>, "dist/src/server.js"]
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(cmd).not.toBeNull();
    const cmdArgs = JSON.parse(cmd![1]!) as string[];
    expect(cmdArgs[0]).toBe('node');
    expect(cmdArgs.at(-1)).toBe('dist/src/server.js');
    expect(cmdArgs.slice(1, -1)).toEqual(NODE_FLAGS);
  });
});
