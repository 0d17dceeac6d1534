import { join } from 'node:path';
import { Operator } from '@medplum/core';
import type { Encounter, ServiceRequest } from '@medplum/fhirtypes';
import { Router } from 'express';
import { SMART_APP_DIR } from '../paths.js';
import type { DemoFhirServer } from './fhir-server.js';

/**
 * The demo: /fhir (the in-memory FHIR server), /demo (a page with a SMART launch link and CDS Hooks buttons per
 * demo patient) and /demo/patients (what that page lists).
 */
export function demoRoutes(server: DemoFhirServer): Router {
  const router = Router();
  router.use('/fhir', server.router);
  router.get('/demo', (_req, res) => {
    res.sendFile(join(SMART_APP_DIR, 'demo.html'), (error) => {
      if (error) res.status(503).json({ error: 'the demo page is not built: run "npm run build"' });
    });
  });
  router.get('/demo/patients', async (_req, res) => {
    const patients = await Promise.all(
      server.patients.map(async (p) => {
        const encounters = await server.repository.searchResources<Encounter>({
          resourceType: 'Encounter',
          filters: [{ code: 'patient', operator: Operator.EQUALS, value: `Patient/${p.patient}` }],
        });
        const orders = await server.repository.searchResources<ServiceRequest>({
          resourceType: 'ServiceRequest',
          filters: [{ code: 'patient', operator: Operator.EQUALS, value: `Patient/${p.patient}` }],
        });
        return {
          ...p,
          encounters: encounters.sort((a, b) => (a.period?.start ?? '').localeCompare(b.period?.start ?? '')).map((e) => `Encounter/${e.id}`),
          // The prescriptions (original-order); a record that has none, such as HL7's CodeX breast course whose planned
          // course and phases are filler orders, signs those: every demo patient can send order-sign.
          orders: (orders.some((o) => o.intent === 'original-order') ? orders.filter((o) => o.intent === 'original-order') : orders).map(
            (o) => `ServiceRequest/${o.id}`,
          ),
        };
      }),
    );
    res.json({ patients });
  });
  return router;
}
