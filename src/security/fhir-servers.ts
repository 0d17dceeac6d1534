import { InputError } from '../errors.js';

/**
 * FHIR_SERVER_ALLOWLIST, with one meaning everywhere: the FHIR base URLs the service may call and send access
 * tokens to, whether a hook request names them (`fhirServer`) or the reviewer app does (`X-FHIR-Server`).
 *
 * A requested server is allowed when it is the same base URL as an entry once both are parsed (WHATWG URL:
 * scheme and host lower-cased, default port dropped, IPv4 spellings such as `2130706433` or `0x7f000001`
 * canonicalised, dot segments resolved, trailing slashes ignored). Query strings, fragments and credentials are
 * refused outright: a base URL has none, and a `?` or `#` would turn `<base>/Patient/<id>` into a different URL.
 *
 * An empty list allows any http(s) server; the configuration accepts that only outside production.
 */
export class FhirServerAllowlist {
  private readonly bases: ReadonlySet<string>;

  constructor(entries: readonly string[]) {
    this.bases = new Set(entries.map((entry) => canonicalBase(entry) ?? entry));
  }

  /** True when any http(s) server is allowed (an empty list, outside production). */
  get allowsAny(): boolean {
    return this.bases.size === 0;
  }

  /** The allow-listed base URLs, canonical form (`https://ehr.example.org/fhir`). */
  get entries(): readonly string[] {
    return [...this.bases];
  }

  /** The origins of the allow-listed servers (for the CSP `connect-src` of the reviewer app). */
  get origins(): readonly string[] {
    return [...new Set(this.entries.map((base) => new URL(base).origin))];
  }

  /**
   * The canonical base URL to use for `requested`, or `null` when it is not allowed. Callers build every URL
   * from the returned value, never from the raw request.
   */
  match(requested: string): string | null {
    const base = canonicalBase(requested);
    if (base === null) return null;
    return this.allowsAny || this.bases.has(base) ? base : null;
  }
}

/**
 * The request with its `fhirServer` replaced by the allow-listed base URL it matches (every later URL is built
 * from that, never from the raw value); a 400 naming `fhirServer` and the setting when it matches none.
 */
export function withAllowedFhirServer<T extends { readonly fhirServer?: string | undefined }>(request: T, allowlist: FhirServerAllowlist): T {
  if (request.fhirServer === undefined) return request;
  const fhirServer = allowlist.match(request.fhirServer);
  if (fhirServer === null) throw new InputError([{ path: 'fhirServer', message: NOT_ALLOWED }]);
  return { ...request, fhirServer };
}

/** `scheme://host[:port]/path` without a trailing slash; `null` for anything that is not a plain http(s) base URL. */
export function canonicalBase(text: string): string | null {
  if (/[?#]/.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The message given when a FHIR server is refused; it names the setting so the integrator knows where to look. */
export const NOT_ALLOWED = 'is not in FHIR_SERVER_ALLOWLIST (the FHIR base URLs this service may call); ask its operator to add it';
