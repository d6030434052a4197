// Headers Node can send (checked once, not refused at every request), and the secrets they
// and the URL carry kept out of failure reasons.

/** A header name as HTTP allows it (a token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What Node refuses in a header value: CR, LF and the other control characters but tab, or past Latin-1. */
const BAD_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * Headers that frame the body, which each request sets from the body it sends: a configured
 * Transfer-Encoding went out beside the Content-Length (refused by servers as a smuggling
 * attempt), a Content-Encoding named a coding the body did not have.
 */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'content-encoding']);

/** Why a header cannot be sent as configured, or undefined when it can. */
export function headerProblem(name: string, value: unknown): string | undefined {
  if (!HEADER_NAME.test(name))
    return `expected a header name (letters, digits and !#$%&'*+-.^_\`|~), got ${JSON.stringify(name)}`;
  if (FRAMING.has(name.toLowerCase()))
    return `expected no ${name} header: it is set by the transport, from each request's body (see "compression")`;
  if (typeof value !== 'string') return 'expected a string';
  const bad = BAD_VALUE_CHAR.exec(value);
  if (bad === null) return undefined;
  const code = bad[0].charCodeAt(0);
  const what =
    code === 13 ? 'CR' : code === 10 ? 'LF' : code < 0x100 ? 'a control character' : 'a character past Latin-1';
  return `expected a header value without CR, LF or control characters, got one with ${what} at ${bad.index}`;
}

/** Throws for the first header that cannot be sent, naming it (its value is not repeated). */
export function checkHeaders(headers: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    const problem = headerProblem(name, value);
    if (problem !== undefined) throw new TypeError(`http transport: headers.${name}: ${problem}`);
  }
}

export const REDACTED = '[redacted]';

/** Scheme words of an Authorization value: not secrets on their own. */
const SCHEMES = new Set([
  'basic',
  'bearer',
  'digest',
  'token',
  'apikey',
  'negotiate',
  'hoba',
  'mutual',
  'aws4-hmac-sha256',
]);
/** Query parameters whose values are secrets: passwords, tokens, keys, signatures, credentials. */
const SECRET_PARAM = /pass|pwd|token|secret|key|auth|sig|cred|session/i;
/** The shortest header value scrubbed (shorter ones are flags and numbers, not secrets). */
const MIN_VALUE = 4;
/** The shortest part of a header value scrubbed on its own (shorter ones are words, not tokens). */
const MIN_PART = 8;

/**
 * Replaces every configured header value and the URL's credentials with `[redacted]` in a
 * text (an error body, a reason): a gateway that echoes the request, or an error that
 * quotes the URL, must not carry a token into `lastError`, events or the dead letter.
 * Each value is scrubbed whole and by its parts (the token of `Bearer <token>`, the
 * pieces of `k1=v1; k2=v2`), and the credentials as written, decoded, and as the Basic
 * header Node derives from them; so are the values of query parameters named like secrets.
 */
export class Scrubber {
  /** Longest first, so a value is replaced before the parts inside it. */
  private readonly secrets: string[];

  constructor(url: string, headers: Record<string, string> | undefined) {
    const found = new Set<string>();
    const add = (secret: string) => {
      if (secret.length > 0) found.add(secret);
    };
    for (const value of Object.values(headers ?? {})) {
      if (value.trim().length >= MIN_VALUE) add(value.trim());
      for (const part of value.split(/[\s,;]+/)) {
        if (part.length >= MIN_PART && !SCHEMES.has(part.toLowerCase())) add(part);
        const eq = part.indexOf('=');
        if (eq > 0 && part.length - eq - 1 >= MIN_PART) add(part.slice(eq + 1));
      }
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined && (parsed.username !== '' || parsed.password !== '')) {
      const decode = (s: string) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      };
      const user = decode(parsed.username);
      const password = decode(parsed.password);
      add(`${parsed.username}:${parsed.password}`);
      add(`${user}:${password}`);
      add(Buffer.from(`${user}:${password}`).toString('base64'));
      add(Buffer.from(`${user}:${password}`).toString('base64url'));
      if (password.length >= MIN_VALUE) {
        add(parsed.password);
        add(password);
      }
      // A user name alone is often no secret, but in `token@host` URLs it is the token.
      if (parsed.password === '' ? user.length >= MIN_VALUE : user.length >= MIN_PART) {
        add(parsed.username);
        add(user);
      }
    }
    // A key in the query (ClickHouse's `password`, an `api_key`, a signed URL's `sig`): as written and decoded.
    for (const piece of parsed?.search.slice(1).split('&') ?? []) {
      const eq = piece.indexOf('=');
      if (eq < 0 || !SECRET_PARAM.test(piece.slice(0, eq))) continue;
      const written = piece.slice(eq + 1);
      if (written.length < MIN_VALUE) continue;
      add(written);
      try {
        const value = decodeURIComponent(written.replaceAll('+', ' '));
        add(value);
        add(decodeURIComponent(written));
        // As a preset that sets its own parameters writes the query again (`!` as `%21`).
        add(new URLSearchParams([['', value]]).toString().slice(1));
      } catch {
        // Not percent-encoded as it should be: scrubbed as written.
      }
    }
    this.secrets = [...found].sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.secrets.length === 0;
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    return out;
  }

  /** The error itself when it holds no secret; else a copy: message scrubbed, code and status kept, no old stack. */
  scrubError(error: Error): Error {
    const message = this.scrub(error.message);
    if (message === error.message) return error;
    const clean = new Error(message);
    clean.name = error.name;
    for (const key of ['code', 'status', 'outcomeUnknown'] as const) {
      const value = (error as { code?: unknown; status?: unknown; outcomeUnknown?: unknown })[key];
      if (value !== undefined) Object.assign(clean, { [key]: value });
    }
    return clean;
  }
}
