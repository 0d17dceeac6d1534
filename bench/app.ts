/**
 * The reviewer app as a user waits for it (issue 24, "Reviewer app"): the built SMART app and the service, launched in
 * Chromium by a real SMART EHR launch against an EHR that answers every request after `BENCH_RTT_MS` (100 ms): its
 * authorization server and its FHIR server, the stand-in of bench/fhir-stub.ts holding a 40-fraction AMM course.
 *
 * Per launch: `waves` (the sequential round trips of the app's FHIR requests, from their start and end times at the
 * EHR, as for the hooks), `requests` (the app's FHIR requests), `preflights` (the CORS preflights the browser sent
 * before them, apart), `bannerMs` (from opening the launch URL to the patient banner on screen), `renderMs` (to the
 * review with its findings), and what the app uploaded to the service (`uploadKb`, as sent). Each launch in a fresh
 * browser context (no cached preflight, asset or session), after one warm-up launch; times are medians.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pino } from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { startService, type RunningService } from '../src/start.js';
import { answer, depthOf, type Resource, type ServerBehaviour, type TimedRequest } from './fhir-stub.js';
import { course } from './synthetic.js';

export const APP_RTT_MS = Number(process.env.BENCH_RTT_MS ?? 100);
export const APP_FRACTIONS = 40;
const RUNS = Number(process.env.BENCH_APP_RUNS ?? 5);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A SMART EHR in front of the stand-in FHIR server: every answer after `delayMs`, every request timed. */
export interface SmartFhirStub {
  readonly origin: string;
  readonly base: string;
  /** The app's FHIR requests (cross-origin, from the browser): searches and reads, not discovery. */
  readonly app: TimedRequest[];
  /** CORS preflights (OPTIONS) the browser sent first. */
  readonly preflights: TimedRequest[];
  /** The service's own requests to the FHIR server (its check of the app's token). */
  readonly service: TimedRequest[];
  reset(): void;
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Authorization, Content-Type, Accept',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-max-age': '600',
};

async function bodyOf(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return new URLSearchParams(text);
}

/**
 * The EHR: `.well-known/smart-configuration` (PKCE S256, an introspection endpoint), an authorization endpoint that
 * grants at once, a token endpoint naming `patient`, introspection that says active, and the FHIR stand-in. A test
 * double for measuring, not an authorization server (nothing is checked).
 */
export async function startSmartFhirStub(
  resources: readonly Resource[],
  patient: string,
  delayMs: number,
  behaviour: ServerBehaviour = {},
): Promise<SmartFhirStub> {
  const log = { app: [] as TimedRequest[], preflights: [] as TimedRequest[], service: [] as TimedRequest[] };
  let origin = '';
  const base = () => `${origin}/fhir`;
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, timed?: TimedRequest) => {
    res.writeHead(status, { ...CORS, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body), () => {
      if (timed) timed.end = performance.now();
    });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse, timed: TimedRequest) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'OPTIONS') return send(res, 204, undefined, {}, timed);
    if (url.pathname === '/fhir/.well-known/smart-configuration')
      return send(res, 200, {
        issuer: base(),
        authorization_endpoint: `${origin}/auth/authorize`,
        token_endpoint: `${origin}/auth/token`,
        introspection_endpoint: `${origin}/auth/introspect`,
        code_challenge_methods_supported: ['S256'],
        capabilities: ['launch-ehr', 'client-public', 'context-ehr-patient', 'permission-online', 'permission-v2'],
      });
    if (url.pathname === '/auth/authorize') {
      const back = new URL(url.searchParams.get('redirect_uri') ?? '/');
      back.searchParams.set('code', randomBytes(12).toString('base64url'));
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return send(res, 302, undefined, { location: back.href });
    }
    if (url.pathname === '/auth/token') {
      const form = await bodyOf(req);
      return send(
        res,
        200,
        {
          access_token: randomBytes(24).toString('base64url'),
          token_type: 'Bearer',
          expires_in: 3600,
          scope: form.get('scope') ?? 'launch patient/*.rs',
          patient,
          need_patient_banner: true,
        },
        { 'cache-control': 'no-store' },
      );
    }
    if (url.pathname === '/auth/introspect') return send(res, 200, { active: true, patient, exp: Math.floor(Date.now() / 1000) + 3600 });
    if (url.pathname.startsWith('/fhir/')) {
      const body = answer(resources, `${url.pathname.slice('/fhir/'.length)}${url.search}`, base(), behaviour) as { resourceType: string };
      return send(res, body.resourceType === 'OperationOutcome' ? 404 : 200, body, { 'content-type': 'application/fhir+json' }, timed);
    }
    send(res, 404, undefined);
  };
  const server: Server = createServer((req, res) => {
    const timed: TimedRequest = { path: req.url ?? '', start: performance.now() };
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'OPTIONS') log.preflights.push(timed);
    else if (path.startsWith('/fhir/') && !path.startsWith('/fhir/.well-known') && path !== '/fhir/metadata')
      // The browser's requests are cross-origin (they carry Origin); the service's token check does not.
      (req.headers.origin ? log.app : log.service).push(timed);
    setTimeout(() => void handle(req, res, timed).catch(() => send(res, 500, undefined)), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    origin,
    base: base(),
    ...log,
    reset: () => {
      for (const list of Object.values(log)) list.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The service as in production (client authentication, the EHR's FHIR server allow-listed), on a free port. */
export function startAppService(ehr: SmartFhirStub): Promise<RunningService> {
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    CDS_TRUSTED_ISSUERS: JSON.stringify({ [ehr.origin]: `${ehr.origin}/jwks.json` }),
    FHIR_SERVER_ALLOWLIST: ehr.base,
    FEEDBACK_DB_PATH: ':memory:',
    LOG_LEVEL: 'silent',
  });
  return startService(config, pino({ level: 'silent' }));
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** One launch, as measured. */
export interface AppLaunch {
  readonly waves: number;
  readonly requests: number;
  readonly preflights: number;
  readonly bannerMs: number;
  readonly renderMs: number;
  /** Bytes of the body posted to /api/v1/evaluate, as sent, and whether it was compressed. */
  readonly uploadBytes: number;
  readonly uploadEncoding: string;
  /** The app's FHIR requests in the order they started (paths without the base). */
  readonly paths: string[];
  /** The review's session rows (what the user reads), to compare plans. */
  readonly rows: string[];
}

/** When the banner and the review first appeared in index.html, by the page's clock (Date.now). */
const WATCH_SCREEN = () => {
  if (!location.pathname.endsWith('/index.html')) return;
  const seen: { banner?: number; render?: number } = {};
  (window as unknown as { __appTimes: typeof seen }).__appTimes = seen;
  new MutationObserver(() => {
    if (seen.banner === undefined && document.getElementById('patient-banner')) seen.banner = Date.now();
    if (seen.render === undefined && document.getElementById('sessions')) seen.render = Date.now();
  }).observe(document, { childList: true, subtree: true });
};

/** Opens the launch URL in a fresh browser context and waits for the review; throws the app's alert if one shows. */
export async function launchOnce(browser: Browser, service: RunningService, ehr: SmartFhirStub): Promise<AppLaunch> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(WATCH_SCREEN);
    // The body as it reached the service (the browser does not show a compressed stream's bytes to the page's observers).
    let upload = { bytes: 0, encoding: 'identity' };
    const seeUpload = (req: IncomingMessage) => {
      if (req.method === 'POST' && req.url?.startsWith('/api/v1/evaluate'))
        upload = { bytes: Number(req.headers['content-length'] ?? 0), encoding: req.headers['content-encoding'] ?? 'identity' };
    };
    service.server.on('request', seeUpload);
    context.once('close', () => service.server.off('request', seeUpload));
    ehr.reset();
    const launched = Date.now();
    await page.goto(`${service.url}/smart-app/launch.html?iss=${encodeURIComponent(ehr.base)}&launch=${randomBytes(8).toString('hex')}`);
    await page.locator('#sessions, [role="alert"]').first().waitFor({ timeout: 60_000 });
    const alert = page.getByRole('alert');
    if ((await alert.count()) > 0) throw new Error(`the app showed an alert: ${await alert.innerText()}`);
    const times = (await page.evaluate(() => (window as unknown as { __appTimes: { banner?: number; render?: number } }).__appTimes)) ?? {};
    const rows = await page.locator('#sessions tbody tr').allInnerTexts();
    const byStart = [...ehr.app].sort((a, b) => a.start - b.start);
    return {
      waves: depthOf(ehr.app),
      requests: ehr.app.length,
      preflights: ehr.preflights.length,
      bannerMs: (times.banner ?? NaN) - launched,
      renderMs: (times.render ?? NaN) - launched,
      uploadBytes: upload.bytes,
      uploadEncoding: upload.encoding,
      paths: byStart.map((r) => r.path.replace(/^\/fhir\//, '')),
      rows: rows.map((row) => row.replace(/\s+/g, ' ').trim()),
    };
  } finally {
    await context.close();
  }
}

/** The patient's 40-fraction AMM course (plans, fractions, AMM records, signatures, sessions), with the shared Location, payer and physician. */
export function appCourse(): { patient: string; resources: Resource[] } {
  const { patient, resources } = course(0, APP_FRACTIONS, { amm: true });
  const shared: Resource[] = [
    { resourceType: 'Practitioner', id: 'dr' },
    { resourceType: 'Organization', id: 'payer' },
    {
      resourceType: 'Location',
      id: 'clinic',
      type: [{ coding: [{ system: 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set', code: '11' }] }],
    },
  ];
  return { patient, resources: [...shared, ...resources] };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** `app` of the final JSON line: one warm-up launch, then RUNS launches; waves and times their medians, requests of the last. */
export async function runApp(log: (line: string) => void = console.log) {
  const { patient, resources } = appCourse();
  const ehr = await startSmartFhirStub(resources, patient, APP_RTT_MS);
  const service = await startAppService(ehr);
  const browser = await launchChromium();
  try {
    await launchOnce(browser, service, ehr);
    const runs: AppLaunch[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await launchOnce(browser, service, ehr));
    const last = runs.at(-1)!;
    // The same launch against a server that ignores _revinclude and _include silently (counts only: one launch).
    const plain = await startSmartFhirStub(resources, patient, APP_RTT_MS, { revinclude: false, include: false });
    const plainService = await startAppService(plain);
    let withoutIncludes: AppLaunch;
    try {
      withoutIncludes = await launchOnce(browser, plainService, plain);
    } finally {
      await plainService.close();
      await plain.close();
    }
    log(
      `  app launches: ${runs.map((r) => `banner ${r.bannerMs} ms, review ${r.renderMs} ms, waves ${r.waves}, requests ${r.requests}`).join('; ')}`,
    );
    return {
      rttMs: APP_RTT_MS,
      fractions: APP_FRACTIONS,
      // A machine busy elsewhere can start a request of the first wave after another one ended: the median, each printed.
      waves: median(runs.map((r) => r.waves)),
      requests: last.requests,
      preflights: last.preflights,
      bannerMs: median(runs.map((r) => r.bannerMs)),
      renderMs: median(runs.map((r) => r.renderMs)),
      uploadKb: Math.round(last.uploadBytes / 102.4) / 10,
      uploadEncoding: last.uploadEncoding,
      withoutIncludes: { waves: withoutIncludes.waves, requests: withoutIncludes.requests, preflights: withoutIncludes.preflights },
      runs: RUNS,
      paths: last.paths,
    };
  } finally {
    await browser.close();
    await service.close();
    await ehr.close();
  }
}

export type AppRun = Awaited<ReturnType<typeof runApp>>;

export function printApp(app: AppRun): void {
  console.log(
    `\nReviewer app (SMART launch in Chromium, ${app.fractions}-fraction course, every EHR answer after ${app.rttMs} ms; medians of ${app.runs} launches): ${app.waves} waves, ${app.requests} FHIR requests (+ ${app.preflights} CORS preflights), banner ${app.bannerMs} ms, review ${app.renderMs} ms, upload ${app.uploadKb} KB (${app.uploadEncoding})`,
  );
  console.log(`  requests: ${app.paths.map((p) => p.split('?')[0]).join(', ')}`);
  console.log(
    `  against a server that ignores _revinclude/_include silently: ${app.withoutIncludes.waves} waves, ${app.withoutIncludes.requests} FHIR requests (+ ${app.withoutIncludes.preflights} preflights)`,
  );
}

/** `app` in the final JSON line. */
export function appSummary({ waves, requests, preflights, bannerMs, renderMs, uploadKb, withoutIncludes }: AppRun) {
  return { waves, requests, preflights, bannerMs, renderMs, uploadKb, withoutIncludes };
}
