import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.js';
import { allScenarios } from '../helpers/cases.js';
import { encounterDischargeRequest, orderSignRequest, resourcesOf } from '../helpers/hook-requests.js';

/** Every name, birth date, identifier and free text in the scenarios' records: none may reach a log line. */
function phiOf(resources: ReturnType<typeof resourcesOf>): string[] {
  const values: string[] = [];
  for (const r of resources) {
    for (const name of (r.name as { family?: string; given?: string[] }[] | string | undefined) instanceof Array
      ? (r.name as { family?: string; given?: string[] }[])
      : []) {
      if (name.family) values.push(name.family);
      values.push(...(name.given ?? []));
    }
    if (typeof r.name === 'string') values.push(r.name);
    if (typeof r.birthDate === 'string') values.push(r.birthDate);
    for (const id of (r.identifier as { value?: string }[] | undefined) ?? []) if (id.value) values.push(id.value);
    for (const ext of (r.extension as { valueMarkdown?: string }[] | undefined) ?? [])
      if (ext.valueMarkdown) values.push(ext.valueMarkdown.slice(0, 30));
    for (const c of (r.content as { attachment?: { title?: string } }[] | undefined) ?? []) if (c.attachment?.title) values.push(c.attachment.title);
  }
  return [...new Set(values)].filter((v) => v.length >= 4);
}

describe('logs carry no PHI', () => {
  it('at debug level, hook calls and evaluations for every scenario log no name, birth date, identifier or free text', async () => {
    const { app, lines } = testApp({ LOG_LEVEL: 'debug' });
    const phi = new Set<string>();
    for (const golden of allScenarios()) {
      phiOf(resourcesOf(golden)).forEach((v) => phi.add(v));
      await request(app)
        .post('/cds-services/rt-billing-order-sign')
        .send(orderSignRequest(golden, { prefetch: true }));
      for (const enc of resourcesOf(golden).filter((r) => r.resourceType === 'Encounter')) {
        await request(app)
          .post('/cds-services/rt-billing-encounter-discharge')
          .send(encounterDischargeRequest(golden, enc.id!, { prefetch: true }));
      }
      await request(app)
        .post('/api/v1/evaluate')
        .send(golden.bundle as object);
    }
    // and a request that fails validation deep inside a resource
    await request(app)
      .post('/api/v1/evaluate')
      .send({
        resourceType: 'Bundle',
        entry: [
          { resource: { resourceType: 'Patient', name: [{ family: 'Leakmouth' }], birthDate: 'bad' } },
          { resource: { resourceType: 'Procedure', status: 'x', note: [{ text: 'Leakmouth' }] } },
        ],
      });

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    expect(phi.size).toBeGreaterThan(10);
    for (const value of [...phi, 'Leakmouth']) expect(log, value).not.toContain(value);
    expect(log).toContain('hook answered');
  });
});
