import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import { createDemoFhirServer } from '../../src/demo/fhir-server.js';
import { FIXTURES_DIR } from '../../src/paths.js';

/**
 * A stand-in EHR for browser tests: an authorization server that behaves like the SMART reference launcher
 * (smart-on-fhir/smart-launcher-v2: backend/routes/auth/{authorize,token,introspect}.ts) in front of the demo's
 * FHIR server, which stays Medplum's FhirRouter on the demo fixtures. It is a test double, not a product.
 *
 * - `launch` is an encoded launch context (patient, encounter, need_patient_banner, auth_error), as the
 *   launcher's is; `aud` must be the FHIR base; PKCE S256 is required (the launcher's pkce=always).
 * - The token response carries patient, encounter, need_patient_banner and smart_style_url; a refresh token
 *   when online_access (or offline_access) is requested and granted.
 * - Introspection requires a bearer token the server issued, as the launcher's does.
 * - FHIR requests need a current, unrevoked access token; /metadata and .well-known are open. CORS is open.
 * - GET /ehr?app=<url> is an EHR page that shows the app in an iframe.
 */
export interface LaunchContext {
  readonly patient: string;
  readonly encounter?: string;
  readonly need_patient_banner?: boolean;
  /** Makes the authorization endpoint redirect back with this OAuth error, as the launcher's auth_error does. */
  readonly auth_error?: 'invalid_scope' | 'access_denied';
}

export interface SmartEhrSettings {
  accessTokenSeconds: number;
  /** Grant online_access/offline_access when asked (then a refresh token is issued). */
  grantRefresh: boolean;
  /** The refresh grant answers invalid_grant. */
  refreshFails: boolean;
  /** FHIR requests answer 503. */
  fhirDown: boolean;
}

interface Grant {
  readonly scope: string;
  readonly context: Record<string, unknown>;
  readonly clientId: string;
}

interface IssuedToken extends Grant {
  readonly expiresAt: number;
  revoked: boolean;
}

export interface SmartEhr {
  /** This EHR's origin (http://localhost:PORT). */
  readonly origin: string;
  readonly fhirBase: string;
  readonly settings: SmartEhrSettings;
  readonly log: {
    authorize: Record<string, string>[];
    tokenRequests: { grant_type: string }[];
    introspections: number;
    fhirRequests: { path: string; token: string | undefined }[];
  };
  /** The app's launch URL with `iss` and an encoded `launch`, as the EHR (or the launcher) opens it. */
  launchUrl(appLaunchUrl: string, context: LaunchContext): string;
  /** This EHR's page showing `src` in an iframe. */
  framePage(src: string): string;
  revokeAll(): void;
  close(): Promise<void>;
}

export const SMART_STYLE = { color_highlight: '#7a1fa2', color_background: '#f4eef7', dim_border_radius: '12px' };

const base64url = (buffer: Buffer) => buffer.toString('base64url');
export const encodeLaunch = (context: LaunchContext) => base64url(Buffer.from(JSON.stringify(context)));
const decodeLaunch = (text: string) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as LaunchContext;

function redirectWithError(res: Response, redirectUri: string, state: string, error: string, description: string): void {
  const url = new URL(redirectUri);
  url.searchParams.set('error', error);
  url.searchParams.set('error_description', description);
  url.searchParams.set('state', state);
  res.redirect(302, url.href);
}

export async function startSmartEhr(overrides: Partial<SmartEhrSettings> = {}): Promise<SmartEhr> {
  const demo = await createDemoFhirServer(FIXTURES_DIR);
  const settings: SmartEhrSettings = { accessTokenSeconds: 3600, grantRefresh: true, refreshFails: false, fhirDown: false, ...overrides };
  const codes = new Map<string, Grant & { redirectUri: string; challenge: string }>();
  const tokens = new Map<string, IssuedToken>();
  const refreshTokens = new Map<string, Grant>();
  const log: SmartEhr['log'] = { authorize: [], tokenRequests: [], introspections: 0, fhirRequests: [] };
  const app = express();
  let origin = '';
  const fhirBase = () => `${origin}/fhir`;

  const issue = (grant: Grant) => {
    const accessToken = base64url(randomBytes(24));
    tokens.set(accessToken, { ...grant, expiresAt: Date.now() + settings.accessTokenSeconds * 1000, revoked: false });
    const refresh = settings.grantRefresh && /\b(online|offline)_access\b/.test(grant.scope) ? base64url(randomBytes(24)) : undefined;
    if (refresh) refreshTokens.set(refresh, grant);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: settings.accessTokenSeconds,
      scope: grant.scope,
      ...(refresh ? { refresh_token: refresh } : {}),
      ...grant.context,
    };
  };
  const current = (req: Request): IssuedToken | undefined => {
    const token = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const issued = token ? tokens.get(token) : undefined;
    return issued && !issued.revoked && issued.expiresAt > Date.now() ? issued : undefined;
  };

  app.use((req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    if (req.method === 'OPTIONS') return void res.sendStatus(204);
    next();
  });

  app.get('/fhir/.well-known/smart-configuration', (_req, res) => {
    res.json({
      issuer: fhirBase(),
      authorization_endpoint: `${origin}/auth/authorize`,
      token_endpoint: `${origin}/auth/token`,
      introspection_endpoint: `${origin}/auth/introspect`,
      grant_types_supported: ['authorization_code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
      scopes_supported: ['openid', 'fhirUser', 'launch', 'launch/patient', 'patient/*.rs', 'online_access', 'offline_access'],
      capabilities: [
        'launch-ehr',
        'client-public',
        'context-ehr-patient',
        'context-ehr-encounter',
        'context-passthrough-banner',
        'context-passthrough-style',
        'permission-online',
        'permission-v2',
      ],
    });
  });

  app.get('/auth/authorize', (req, res) => {
    const params = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, String(v)]));
    log.authorize.push(params);
    const { response_type, client_id, redirect_uri, scope = '', state = '', aud, launch, code_challenge, code_challenge_method } = params;
    if (response_type !== 'code' || !client_id || !redirect_uri)
      return void res.status(400).send('response_type=code, client_id and redirect_uri are required');
    if (aud !== fhirBase()) return void res.status(400).send(`Bad audience value "${aud}". Expected "${fhirBase()}".`);
    if (code_challenge_method !== 'S256' || !code_challenge) return void res.status(400).send('PKCE S256 is required');
    let context: LaunchContext;
    try {
      context = decodeLaunch(launch ?? '');
    } catch {
      return void res.status(400).send('Invalid launch options');
    }
    if (context.auth_error === 'invalid_scope') return redirectWithError(res, redirect_uri, state, 'invalid_scope', 'Simulated invalid scope error');
    if (context.auth_error === 'access_denied') return redirectWithError(res, redirect_uri, state, 'access_denied', 'The user declined');
    const granted = scope
      .split(/\s+/)
      .filter((s) => s && (settings.grantRefresh || !/^(online|offline)_access$/.test(s)))
      .join(' ');
    const code = base64url(randomBytes(24));
    codes.set(code, {
      scope: granted,
      clientId: client_id,
      redirectUri: redirect_uri,
      challenge: code_challenge,
      context: {
        patient: context.patient,
        ...(context.encounter ? { encounter: context.encounter } : {}),
        need_patient_banner: context.need_patient_banner ?? true,
        smart_style_url: `${origin}/smart-style.json`,
      },
    });
    const back = new URL(redirect_uri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', state);
    res.redirect(302, back.href);
  });

  app.post('/auth/token', express.urlencoded({ extended: false }), (req, res) => {
    const body = req.body as Record<string, string>;
    log.tokenRequests.push({ grant_type: body.grant_type ?? '' });
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    if (body.grant_type === 'authorization_code') {
      const grant = body.code ? codes.get(body.code) : undefined;
      if (!grant || grant.redirectUri !== body.redirect_uri) return void res.status(400).json({ error: 'invalid_grant' });
      codes.delete(body.code!);
      const challenge = createHash('sha256')
        .update(body.code_verifier ?? '')
        .digest('base64url');
      if (challenge !== grant.challenge) return void res.status(401).json({ error: 'invalid_grant', error_description: 'Invalid PKCE verifier' });
      return void res.json(issue(grant));
    }
    if (body.grant_type === 'refresh_token') {
      const grant = body.refresh_token ? refreshTokens.get(body.refresh_token) : undefined;
      if (!grant || settings.refreshFails) return void res.status(401).json({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
      return void res.json(issue(grant));
    }
    res.status(400).json({ error: 'unsupported_grant_type' });
  });

  app.post('/auth/introspect', express.urlencoded({ extended: false }), (req, res) => {
    log.introspections += 1;
    if (!current(req)) return void res.status(401).send('Authorization is required');
    const token = tokens.get(String((req.body as { token?: string }).token));
    if (!token || token.revoked || token.expiresAt <= Date.now()) return void res.json({ active: false });
    // The signed-in user, as the launcher names them when the app asked for openid/fhirUser.
    const scopes = token.scope.split(' ');
    const user = {
      ...(scopes.includes('openid') ? { sub: 'smart-ehr-reviewer' } : {}),
      ...(scopes.includes('fhirUser') ? { fhirUser: 'Practitioner/smart-ehr-reviewer' } : {}),
    };
    res.json({ active: true, scope: token.scope, client_id: token.clientId, exp: Math.floor(token.expiresAt / 1000), ...user, ...token.context });
  });

  app.get('/favicon.ico', (_req, res) => {
    res.sendStatus(204);
  });
  app.get('/smart-style.json', (_req, res) => {
    res.json(SMART_STYLE);
  });

  app.get('/ehr', (req, res) => {
    const src = String(req.query.app ?? '');
    res
      .type('html')
      .send(
        `<!doctype html><html><head><title>EHR</title></head><body><h1>EHR chart</h1><iframe id="app" title="Charge review" src="${src.replace(/"/g, '&quot;')}" width="1200" height="800"></iframe></body></html>`,
      );
  });

  app.use('/fhir', (req, res, next) => {
    const open = req.path === '/metadata';
    const token = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    log.fhirRequests.push({ path: req.originalUrl, token });
    if (settings.fhirDown) return void res.status(503).json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] });
    if (!open && !current(req)) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
      return void res.status(401).json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
    }
    next();
  });
  app.use('/fhir', demo.router);

  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  origin = `http://localhost:${(server.address() as { port: number }).port}`;

  return {
    origin,
    fhirBase: fhirBase(),
    settings,
    log,
    launchUrl: (appLaunchUrl, context) => `${appLaunchUrl}?iss=${encodeURIComponent(fhirBase())}&launch=${encodeLaunch(context)}`,
    framePage: (src) => `${origin}/ehr?app=${encodeURIComponent(src)}`,
    revokeAll: () => {
      for (const token of tokens.values()) token.revoked = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A page on another origin that frames `src`: an EHR the service does not list in FRAME_ANCESTORS. */
export async function startFramingPage(): Promise<{ origin: string; framePage(src: string): string; close(): Promise<void> }> {
  const app = express();
  app.get('/ehr', (req, res) => {
    res
      .type('html')
      .send(`<!doctype html><html><body><iframe id="app" src="${String(req.query.app ?? '').replace(/"/g, '&quot;')}"></iframe></body></html>`);
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const origin = `http://localhost:${(server.address() as { port: number }).port}`;
  return {
    origin,
    framePage: (src) => `${origin}/ehr?app=${encodeURIComponent(src)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
