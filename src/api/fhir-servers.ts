import { Router } from 'express';
import { InputError } from '../errors.js';
import { type FhirServerAllowlist, NOT_ALLOWED } from '../security/fhir-servers.js';

/**
 * `GET /api/v1/fhir-servers/check?url=<FHIR base URL>`: whether the service may call that FHIR server. The
 * reviewer app asks before it starts a launch, so a server outside FHIR_SERVER_ALLOWLIST gets a message that
 * names the setting instead of a launch that fails half-way (its CSP would block the server anyway). Says
 * yes or no for one URL; never lists the allowlist.
 */
export function fhirServerCheck(allowlist: FhirServerAllowlist): Router {
  const router = Router();
  router.get('/api/v1/fhir-servers/check', (req, res) => {
    const url = req.query.url;
    if (typeof url !== 'string' || url.length === 0 || url.length > 2000)
      throw new InputError([{ path: 'url', in: 'query', message: 'a FHIR base URL is required' }]);
    const allowed = allowlist.match(url) !== null;
    res.json({ allowed, ...(allowed ? {} : { message: `${url} ${NOT_ALLOWED}` }) });
  });
  return router;
}
