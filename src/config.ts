import { isIP } from 'node:net';
import { z } from 'zod';
import { TimeZone } from './dates.js';
import { LimitSettings } from './limits.js';
import { canonicalBase } from './security/fhir-servers.js';
import { ISSUED_CARDS_DEFAULT_MAX } from './security/issued-cards.js';

/** Every environment variable the service reads, parsed once at start. A wrong value stops the start. */
const csv = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** A comma-separated list of origins (`https://ehr.example.org`, `http://localhost:8080`): scheme, host, port, nothing else. */
const origins = (what: string) =>
  z
    .string()
    .default('')
    .transform(csv)
    .pipe(
      z.array(
        z.string().refine((value) => {
          try {
            const url = new URL(value);
            return /^https?:$/.test(url.protocol) && !value.includes('*') && url.origin === value.replace(/\/$/, '');
          } catch {
            return false;
          }
        }, `each entry must be ${what} origin such as https://ehr.example.org (scheme, host and port only)`),
      ),
    )
    .transform((list) => list.map((value) => new URL(value).origin));

/** The named ranges express's `trust proxy` knows. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isAddressOrRange = (entry: string): boolean => {
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
};

/** `{"<iss>": "<JWKS URL>"}`: the CDS clients (EHRs) this service trusts. */
const TrustedIssuers = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object {"<iss>": "<JWKS URL>"}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1), z.url({ protocol: /^https?$/, message: "each value must be the issuer's JWKS URL" })));

const ConfigSchema = z.object({
  /** Input limits (src/limits.ts): NDJSON line, Bundle file, JSON depth, resources per patient, references per resource. */
  ...LimitSettings.shape,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** The embedded demo (in-memory FHIR server at /fhir and the /demo page); on by default outside production. */
  DEMO: z.enum(['on', 'off']).optional(),
  /** Trusted CDS clients; without it the service runs unauthenticated (demo), which production refuses. */
  CDS_TRUSTED_ISSUERS: TrustedIssuers.optional(),
  CDS_JWT_ALGORITHMS: z
    .string()
    .default('ES384,RS384')
    .transform(csv)
    .pipe(
      z
        .array(
          z.enum(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'], {
            message: 'only asymmetric algorithms (ES*, RS*, PS*) are allowed',
          }),
        )
        .min(1),
    ),
  /** Longest accepted JWT lifetime (exp - iat), seconds. */
  CDS_JWT_MAX_LIFETIME_S: z.coerce.number().int().min(1).max(3600).default(300),
  CDS_JWT_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(600).default(60),
  /** JWKS refetches allowed per minute and issuer when an unknown kid arrives. */
  CDS_JWKS_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(600).default(10),
  /**
   * The FHIR base URLs the service may call and send tokens to, for hooks (`fhirServer`) and the reviewer app
   * (`X-FHIR-Server`) alike; empty = any http(s) server, which only development allows.
   */
  FHIR_SERVER_ALLOWLIST: z
    .string()
    .default('')
    .transform(csv)
    .pipe(
      z.array(
        z
          .string()
          .refine(
            (value) => canonicalBase(value) !== null,
            'each entry must be a FHIR base URL such as https://ehr.example.org/fhir (no query or fragment)',
          ),
      ),
    )
    .transform((list) => [...new Set(list.map((value) => canonicalBase(value)!))]),
  /** EHR origins allowed to show the reviewer app in a frame (CSP frame-ancestors); empty = this origin only. */
  FRAME_ANCESTORS: origins('an EHR'),
  /**
   * Other origins the reviewer app must reach from the browser: an EHR's authorization server (token endpoint)
   * or `smart_style_url` when they are not on the FHIR server's origin. Added to the CSP connect-src.
   */
  SMART_AUTH_ORIGINS: origins('an authorization server'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest accepted request body (express/bytes syntax, e.g. 5mb). */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 500kb or 5mb')
    .default('5mb'),
  /** The URL clients use to reach this service (JWT audience, card links); defaults to http://HOST:PORT. */
  PUBLIC_BASE_URL: z.url().optional(),
  /** SQLite file for CDS Hooks feedback. */
  FEEDBACK_DB_PATH: z.string().min(1).default('.data/feedback.sqlite'),
  /** Timeout of each request to the EHR's FHIR server (the hook answers within the CDS Hooks ~500 ms budget when the EHR is fast). */
  FHIR_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2500),
  /** Largest FHIR server response read. */
  FHIR_MAX_RESPONSE_BYTES: z.coerce.number().int().min(1024).default(20_000_000),
  /** Pages of one search a hook follows at most; requests and response bytes one hook call may spend on the EHR. */
  FHIR_MAX_PAGES: z.coerce.number().int().min(1).max(1000).default(20),
  FHIR_MAX_REQUESTS_PER_HOOK: z.coerce.number().int().min(1).default(50),
  FHIR_MAX_BYTES_PER_HOOK: z.coerce.number().int().min(1024).default(40_000_000),
  /**
   * How long the Locations, Organizations, Practitioners and PractitionerRoles read from an EHR's FHIR server are kept
   * (not patient data; shared by every user of that server: src/cds/shared-cache.ts), and how many at most. 0: off.
   */
  FHIR_SHARED_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  FHIR_SHARED_CACHE_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(1000),
  /**
   * How many issued card ids the memory store keeps (feedback on them is marked `issued`), the oldest forgotten
   * first: 32 bytes each at most (src/security/issued-cards.ts). Unused with REDIS_URL (Redis keeps them a day).
   */
  ISSUED_CARDS_MAX: z.coerce.number().int().min(1000).max(20_000_000).default(ISSUED_CARDS_DEFAULT_MAX),
  /** The reviewer app's SMART launch URL used in card links; defaults to PUBLIC_BASE_URL/smart-app/launch.html. */
  SMART_LAUNCH_URL: z.url().optional(),
  /**
   * Origins allowed to call the service from a browser (CDS clients such as the CDS Hooks sandbox): "*", a
   * comma-separated list of origins, or empty (none). Unset: "*" in development, none in production.
   */
  CORS_ORIGINS: z
    .string()
    .transform((value, ctx) => {
      if (value.trim() === '*') return '*' as const;
      const listed = origins('a browser client').safeParse(value);
      if (listed.success) return listed.data;
      ctx.addIssue({ code: 'custom', message: `must be "*" or ${listed.error.issues[0]?.message ?? 'a list of origins'}` });
      return z.NEVER;
    })
    .optional(),
  /** Redis for the JWT replay cache shared by replicas (redis://host:6379); memory when unset. */
  REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional(),
  /**
   * Longest wait for Redis (connecting, each command): past it, or at once while Redis is unreachable, an
   * authenticated call answers 503 with Retry-After instead of stalling.
   */
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(1000),
  /** PostgreSQL for feedback shared by replicas (postgres://user@host/db); SQLite (FEEDBACK_DB_PATH) when unset. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, message: 'must be a postgres:// URL' }).optional(),
  /**
   * Longest wait for PostgreSQL (a connection, each statement): past it the feedback call answers 503 with
   * Retry-After instead of hanging while the database is hung or unreachable.
   */
  DATABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  /** How long shutdown waits for in-flight requests before closing connections. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** Keys for integration engines calling POST /api/v1/evaluate (comma-separated, each at least 24 characters). */
  API_KEYS: z
    .string()
    .default('')
    .transform(csv)
    .pipe(z.array(z.string().min(24, 'each key must be at least 24 characters'))),
  /**
   * `physician-tasks`: the Task asking the physician to sign images or an AMM record before the next beam-on is
   * returned as a CDS Hooks systemAction (the EHR may create it without a click) instead of a card suggestion.
   */
  CDS_SYSTEM_ACTIONS: z.enum(['off', 'physician-tasks']).default('off'),
  /**
   * `on`: cards for information too — each session's codes, each order's expected level, what could not be checked.
   * Off by default: a card only when someone in the EHR has something to do (the reviewer app and the API keep it all).
   */
  CDS_INFO_CARDS: z.enum(['off', 'on']).default('off'),
  /**
   * The clinic's IANA time zone (e.g. America/Chicago): dates of service are its calendar dates when a session's Location
   * gives no zone (billing-rules.md, "Time zones"); unset, each timestamp is read in its own offset (D-TZ says so).
   */
  CLINIC_TIME_ZONE: TimeZone.optional(),
  /** A department's payer policy files (spec P), beside the shipped ones in policies/; a bad file stops the start. */
  PAYER_POLICY_DIR: z.string().min(1).optional(),
  /**
   * Failed authentication attempts per client and minute (refusals, and token checks sent to an EHR until one
   * accepts the token), on the direct API, the CDS Hooks endpoints and the operators' endpoints; then 429 with
   * Retry-After. 0 turns the limit off.
   */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(30),
  /**
   * The proxies in front of the service whose X-Forwarded-For names the client (express's `trust proxy`): a hop
   * count, or addresses, CIDR ranges and `loopback`/`linklocal`/`uniquelocal`, comma-separated. Unset: the
   * connection's address is the client, and X-Forwarded-For is ignored.
   */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      if (/^\d{1,2}$/.test(value.trim())) return Number(value.trim());
      const entries = csv(value);
      const bad = entries.find((entry) => !PROXY_NAMES.has(entry) && !isAddressOrRange(entry));
      if (bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: `"${bad}" is not a hop count, an IP address, a CIDR range, or loopback/linklocal/uniquelocal` });
        return z.NEVER;
      }
      return entries;
    }),
  /** Bearer token for operators' endpoints (GET /api/v1/feedback) when client authentication is on. */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type Config = Readonly<
  Omit<z.infer<typeof ConfigSchema>, 'PUBLIC_BASE_URL' | 'SMART_LAUNCH_URL' | 'DEMO' | 'CORS_ORIGINS'> & {
    PUBLIC_BASE_URL: string;
    SMART_LAUNCH_URL: string;
    DEMO: 'on' | 'off';
    /** `*` (any origin) or the origins listed; empty = no cross-origin calls. */
    CORS_ORIGINS: '*' | readonly string[];
  }
>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const config = parsed.data;
  if (config.NODE_ENV === 'production' && !config.CDS_TRUSTED_ISSUERS) {
    throw new ConfigError(
      'CDS_TRUSTED_ISSUERS is required when NODE_ENV=production: set it to {"<EHR iss>": "<its JWKS URL>"} (the service will not run unauthenticated in production)',
    );
  }
  if (config.NODE_ENV === 'production' && config.FHIR_SERVER_ALLOWLIST.length === 0) {
    throw new ConfigError(
      'FHIR_SERVER_ALLOWLIST is required when NODE_ENV=production: set it to the FHIR base URLs of your EHRs (comma-separated, e.g. https://ehr.example.org/fhir); the service sends access tokens only to them',
    );
  }
  const authenticated = config.CDS_TRUSTED_ISSUERS !== undefined || config.API_KEYS.length > 0;
  if (config.DEMO === 'on' && authenticated) {
    throw new ConfigError(
      'DEMO=on cannot run beside client authentication (CDS_TRUSTED_ISSUERS or API_KEYS): the demo serves an open, writable FHIR server at /fhir. Set DEMO=off.',
    );
  }
  const base = (config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/$/, '');
  return {
    ...config,
    PUBLIC_BASE_URL: base,
    SMART_LAUNCH_URL: config.SMART_LAUNCH_URL ?? `${base}/smart-app/launch.html`,
    DEMO: config.DEMO ?? (config.NODE_ENV === 'production' || authenticated ? 'off' : 'on'),
    // Development keeps "*" for the CDS Hooks sandbox; production answers no browser on another origin unless told.
    CORS_ORIGINS: config.CORS_ORIGINS ?? (config.NODE_ENV === 'production' ? [] : '*'),
  };
}

/** What an operator must know at start: settings that are allowed but open. Printed by `npm start`. */
export function startWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (!config.CDS_TRUSTED_ISSUERS)
    warnings.push('CDS client authentication is OFF (demo mode). Set CDS_TRUSTED_ISSUERS to require signed JWTs from your EHR.');
  if (!config.CLINIC_TIME_ZONE)
    warnings.push(
      "CLINIC_TIME_ZONE is not set: where a session's Location gives no time zone, dates of service are read in each timestamp's own offset (a UTC timestamp of an evening session falls on the next day). Set it to the clinic's IANA zone, e.g. America/Chicago.",
    );
  if (config.FHIR_SERVER_ALLOWLIST.length === 0)
    warnings.push(
      "FHIR_SERVER_ALLOWLIST is empty: the service will call ANY http(s) FHIR server a hook request or the reviewer app names, and send it the access token it was given. Set it to your EHRs' FHIR base URLs (production requires it).",
    );
  return warnings;
}
