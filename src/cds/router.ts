import { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { requireJson } from '../api/evaluate.js';
import { errorSummary, formatPath, InputError } from '../errors.js';
import type { CardSettings } from './cards.js';
import type { Metrics } from '../ops/metrics.js';
import { FhirServerAllowlist, withAllowedFhirServer } from '../security/fhir-servers.js';
import { MemoryIssuedCards, type IssuedCards } from '../security/issued-cards.js';
import type { FeedbackStore } from './feedback-store.js';
import { HookData, type FetchSettings } from './hook-data.js';
import { FeedbackRequest, HookRequest } from './schemas.js';
import type { CdsService } from './service.js';

export interface CdsRouterOptions {
  readonly services: readonly CdsService[];
  readonly cards: CardSettings;
  readonly fetch: FetchSettings;
  readonly feedback: FeedbackStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Authentication of hook and feedback calls (the security module); none in the demo. */
  readonly authenticate?: RequestHandler;
  /** Discovery is public; a token sent with it is still checked. */
  readonly authenticateDiscovery?: RequestHandler;
  /** FHIR base URLs the service may call (FHIR_SERVER_ALLOWLIST); empty = any http(s) server. */
  readonly fhirServerAllowlist?: readonly string[];
  /** Body parsers, run after authentication so that an unauthenticated body is never read. */
  readonly parseJson?: RequestHandler;
  readonly parseFeedbackJson?: RequestHandler;
  /** The card ids issued in the last day: feedback on other cards is stored marked 'unknown'. */
  readonly issuedCards?: IssuedCards;
  /** The clinic's configured time zone (`CLINIC_TIME_ZONE`). */
  readonly clinicTimeZone?: string | null;
}

function parseBody<T>(
  schema: {
    safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  body: unknown,
): T {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body))
    throw new InputError([{ path: 'body', message: 'must be a JSON object' }]);
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new InputError(
      parsed.error.issues.map((issue) => ({ path: formatPath('', issue.path).replace(/^\./, '') || 'body', message: issue.message })),
    );
  return parsed.data;
}

/** CDS Hooks 2.0 endpoints: discovery, service calls, feedback. Discovery is built from the registry. */
export function cdsRouter(options: CdsRouterOptions): Router {
  const router = Router();
  const byId = new Map(options.services.map((service) => [service.definition.id, service]));
  const pass: RequestHandler = (_req, _res, next) => next();
  const authenticate = options.authenticate ?? pass;
  const allowlist = new FhirServerAllowlist(options.fhirServerAllowlist ?? []);
  const issuedCards = options.issuedCards ?? new MemoryIssuedCards();
  const serviceOf = (id: string | string[] | undefined): CdsService => {
    const service = typeof id === 'string' ? byId.get(id) : undefined;
    if (!service) throw new InputError([{ path: 'id', in: 'url', message: `no CDS service "${String(id)}"` }], 404);
    return service;
  };

  router.get('/cds-services', options.authenticateDiscovery ?? pass, (_req, res) => {
    res.json({ services: options.services.map((service) => service.definition) });
  });

  // An unknown service is a 404 before anything else (authentication included).
  const knownService: RequestHandler = (req, _res, next) => {
    serviceOf(req.params.id);
    next();
  };

  router.post('/cds-services/:id', knownService, authenticate, requireJson, options.parseJson ?? pass, async (req, res) => {
    const service = serviceOf(req.params.id);
    const request = withAllowedFhirServer(parseBody(HookRequest, req.body), allowlist);
    if (request.hook !== service.definition.hook)
      throw new InputError([{ path: 'hook', message: `this service answers "${service.definition.hook}", not "${request.hook}"` }]);
    const started = performance.now();
    const data = new HookData(request, service.prefetch, options.fetch);
    let response: Awaited<ReturnType<CdsService['handle']>>;
    try {
      response = await service.handle(request, { data, cards: options.cards, now: new Date(), clinicTimeZone: options.clinicTimeZone ?? null });
    } finally {
      data.stop(); // answered (or failed): reads started beside others ask nothing more of the EHR
    }
    for (const card of response.cards)
      options.metrics.cards.inc({ service: service.definition.id, indicator: card.indicator, rule: card.source.topic?.code ?? 'none' });
    await issuedCards
      .remember(
        service.definition.id,
        response.cards.map((card) => card.uuid),
      )
      .catch((error: unknown) => {
        options.logger.warn({ err: errorSummary(error) }, 'issued card ids not remembered: feedback on them will be marked unknown');
      });
    options.logger.info(
      {
        hookInstance: request.hookInstance,
        cdsService: service.definition.id,
        cards: response.cards.length,
        indicators: response.cards.map((c) => c.indicator),
        unread: data.unread.map((u) => u.kind),
        ms: Math.round(performance.now() - started),
      },
      'hook answered',
    );
    res.json(response);
  });

  router.post('/cds-services/:id/feedback', knownService, authenticate, requireJson, options.parseFeedbackJson ?? pass, async (req, res) => {
    const service = serviceOf(req.params.id);
    const body = parseBody(FeedbackRequest, req.body);
    // Feedback on a card the service does not know (issued before a restart or a Redis flush, or not at all) is
    // kept, marked 'unknown': refusing it would lose what a clinician did, for good (the client does not resend a 400).
    const issued = await issuedCards
      .issued(
        service.definition.id,
        body.feedback.map((item) => item.card),
      )
      .catch((error: unknown) => {
        options.logger.warn({ err: errorSummary(error) }, 'issued card ids could not be read: feedback is stored with its cards unknown');
        return body.feedback.map(() => false);
      });
    const items = body.feedback.map((item, index) => ({ ...item, cardStatus: issued[index] ? ('issued' as const) : ('unknown' as const) }));
    await options.feedback.save(service.definition.id, items, new Date().toISOString());
    options.logger.info(
      {
        cdsService: service.definition.id,
        feedback: items.map((f) => f.outcome),
        unknownCards: items.filter((f) => f.cardStatus === 'unknown').length,
      },
      'feedback stored',
    );
    res.json({});
  });

  return router;
}
