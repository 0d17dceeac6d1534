import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics (GET /metrics). Labels carry no PHI: route patterns, service ids, status codes,
 * indicators, rule IDs and short reasons only.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'rt_billing_http_requests_total',
    help: 'HTTP requests by route (or CDS service) and status',
    labelNames: ['service', 'status'],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'rt_billing_http_request_duration_seconds',
    help: 'HTTP request latency by route (or CDS service) and status',
    labelNames: ['service', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly cards = new Counter({
    name: 'rt_billing_cards_total',
    help: 'CDS cards returned by service, indicator and rule ID',
    labelNames: ['service', 'indicator', 'rule'],
    registers: [this.registry],
  });
  readonly fhirFetches = new Histogram({
    name: 'rt_billing_fhir_fetch_duration_seconds',
    help: 'Requests to EHR FHIR servers by outcome',
    labelNames: ['outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly fhirErrors = new Counter({
    name: 'rt_billing_fhir_fetch_errors_total',
    help: 'Failed requests to EHR FHIR servers by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly apiRejections = new Counter({
    name: 'rt_billing_api_rejections_total',
    help: 'Refused direct API calls by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly jwtRejections = new Counter({
    name: 'rt_billing_jwt_rejections_total',
    help: 'Refused CDS client JWTs by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'rt_billing_' });
  }
}
