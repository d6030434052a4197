/*
 * Redaction inside text, where no path can reach: an error's message and stack repeat the
 * messages of its causes, and a producer's line that is not JSON is kept as text.
 */

const FRAME_LINE = /^\s+at /;

/**
 * `text` with each of `texts` replaced by `censorText`. In a stack (`inStack`) a one-line text
 * is replaced only outside the `at …` frame lines: a short message must not mangle file names.
 */
export function scrubErrorTexts(text: string, texts: readonly string[], censorText: string, inStack: boolean): string {
  let out = text;
  // Longest first: a cause's whole stack goes before the message it starts with.
  const ordered = [...new Set(texts)].filter((t) => t.length > 0).sort((a, b) => b.length - a.length);
  for (const censored of ordered) {
    if (!out.includes(censored)) continue;
    if (!inStack || censored.includes('\n')) out = out.split(censored).join(censorText);
    else {
      out = out
        .split('\n')
        .map((line) => (FRAME_LINE.test(line) ? line : line.split(censored).join(censorText)))
        .join('\n');
    }
  }
  return out;
}

/**
 * HTTP authentication schemes: the credential follows the scheme after a space (`Bearer
 * eyJ…`), and some run on with commas (`Digest username="a", response="…"`), so a value
 * that starts with one is censored to the end of its line.
 */
const AUTH_SCHEMES = [
  'basic',
  'bearer',
  'digest',
  'dpop',
  'hoba',
  'mutual',
  'negotiate',
  'ntlm',
  'oauth',
  'token',
  'apikey',
  'aws4-hmac-sha256',
  'scram-sha-1',
  'scram-sha-256',
  'vapid',
].join('|');

/**
 * A pattern finding, in text, the value after each key the paths end with (`"password":
 * "x"`, `password=x`, `'password': 'x'`): a quoted value to its closing quote, an object or
 * array to the end of the text (no brackets are counted in text that is not JSON), a
 * credential after its scheme to the end of its line, anything else to the next space or
 * separator; keys in any case. Group 1 is what comes before the value, group 3 the value. Null
 * when a path names no key (`*`): then the whole text is censored.
 */
export function censorTextPattern(paths: readonly (readonly string[])[]): RegExp | null {
  const keys = new Set<string>();
  for (const segments of paths) {
    // The innermost key that is a name (`users[*].ssn`: ssn; `list[0]`: list; `a.*`: a).
    const key = [...segments].reverse().find((s) => !/^\d+$/.test(s));
    if (key === undefined) return null;
    keys.add(key);
  }
  const names = [...keys]
    .sort((a, b) => b.length - a.length)
    .map(keyPattern)
    .join('|');
  const value =
    `"(?:[^"\\\\]|\\\\.)*(?:"|$)|'(?:[^'\\\\]|\\\\.)*(?:'|$)|[{\\[][\\s\\S]*|` +
    `(?:${AUTH_SCHEMES})[ \\t].*|[^\\s,;&}\\]]*`;
  // Any case: text is written by hand and by other tools (`Authorization:`, `PASSWORD=`).
  return new RegExp(`((?:^|[^\\w$-])(["']?)(?:${names})\\2\\s*[:=]\\s*)(${value})`, 'gi');
}

/**
 * A key as text may write it: each character as itself or as a JSON `\uXXXX` escape (hex in
 * either case). A producer's line that is not JSON (a trailing comma, cut at maxLineBytes) may
 * spell `"pass\u0077ord"`, which JSON.parse would have read as the key the paths name.
 */
function keyPattern(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const ch = key[i]!;
    const hex = key.charCodeAt(i).toString(16).padStart(4, '0');
    const escaped = `\\\\u${hex.replace(/[a-f]/g, (h) => `[${h}${h.toUpperCase()}]`)}`;
    out += `(?:${ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|${escaped})`;
  }
  return out;
}
