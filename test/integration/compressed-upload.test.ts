import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { syntheticBundle } from '../../bench/synthetic.js';
import { testApp } from '../helpers/app.js';

/**
 * The reviewer app posts the course it read gzip-compressed (smart-app/src/upload.ts): the service reads it as it
 * reads the same Bundle uncompressed, and BODY_LIMIT counts the inflated bytes, so a small compressed body that
 * inflates beyond it is refused like a large one.
 */
describe('a compressed Bundle posted to /api/v1/evaluate', () => {
  const bundle = syntheticBundle(40);
  const json = JSON.stringify(bundle);

  const post = (app: ReturnType<typeof testApp>['app'], body: Buffer, encoding?: string) => {
    const req = request(app).post('/api/v1/evaluate?asOf=2026-06-01').set('content-type', 'application/fhir+json');
    if (encoding) req.set('content-encoding', encoding);
    // As sent, not serialised again as JSON.
    return req.serialize((raw: Buffer) => raw as unknown as string).send(body);
  };

  it('gives the same determination as the uncompressed Bundle, from a body about ten times smaller', async () => {
    const { app } = testApp();
    const gzipped = gzipSync(json);
    expect(gzipped.length * 8).toBeLessThan(json.length);
    const [plain, compressed] = await Promise.all([post(app, Buffer.from(json)), post(app, gzipped, 'gzip')]);
    expect(plain.status).toBe(200);
    expect(compressed.status).toBe(200);
    expect(compressed.body).toEqual(plain.body);
  });

  it('is refused (413) when it inflates beyond BODY_LIMIT, however small it was sent', async () => {
    const { app } = testApp({ BODY_LIMIT: '100kb' });
    const gzipped = gzipSync(json);
    expect(gzipped.length).toBeLessThan(100 * 1024);
    expect(json.length).toBeGreaterThan(100 * 1024);
    expect((await post(app, gzipped, 'gzip')).status).toBe(413);
  });
});
