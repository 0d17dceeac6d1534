import type { RequestHandler } from 'express';

/**
 * CORS for CDS clients that call from a browser (the CDS Hooks sandbox): the configured origins (`*` for any) may
 * send `Authorization` and `Content-Type`; an empty list allows no other origin. Preflight requests get 204.
 */
export function cors(allowed: '*' | readonly string[]): RequestHandler {
  const any = allowed === '*';
  const origins = new Set(any ? [] : allowed);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (origin && (any || origins.has(origin))) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      if (!any) res.vary('Origin');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-FHIR-Server, X-Patient-Id');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    if (req.method === 'OPTIONS') {
      res.sendStatus(204);
      return;
    }
    next();
  };
}
