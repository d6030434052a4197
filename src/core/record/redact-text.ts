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

const CAUSED_BY = 'caused by: ';

/**
 * `stack` with each of `names` replaced by `censorText` where an error's name is written: at
 * the start of a line that is no frame, alone or before a `:`, the first line as V8 makes it
 * (`Name: message`) and a cause's after `caused by: `. Elsewhere the same text is left: a
 * name such as `Error` is also a word of messages.
 */
export function scrubErrorNames(stack: string, names: readonly string[], censorText: string): string {
  const lines = stack.split('\n');
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FRAME_LINE.test(line)) continue;
    const start = line.startsWith(CAUSED_BY) ? CAUSED_BY.length : 0;
    for (const name of names) {
      const end = start + name.length;
      if (name.length === 0 || !line.startsWith(name, start)) continue;
      if (line.length !== end && line[end] !== ':') continue;
      lines[i] = line.slice(0, start) + censorText + line.slice(end);
      changed = true;
      break;
    }
  }
  return changed ? lines.join('\n') : stack;
}

/**
 * HTTP authentication schemes whose credential is written as `key=value` pairs after the
 * scheme (`Digest username="a", response="…"`, `Signature keyId="k",signature="…"`): a
 * value starting with one runs to the end of its line, pairs and all.
 */
const PAIRED_SCHEMES = [
  'aws4-hmac-sha256',
  'concealed',
  'digest',
  'hawk',
  'hoba',
  'mutual',
  'oauth',
  'privatetoken',
  'scram-sha-1',
  'scram-sha-256',
  'signature',
  'vapid',
].join('|');

/** Where another `key=value` (or `key: value`, `"key": value`) starts: the end of a value that is not quoted. */
const NEXT_PAIR = `[\\w.$-]+\\s*=|["'][^"']*["']\\s*:|[\\w.$-]+:\\s`;

/**
 * A pattern finding, in text, the value after each key the paths end with (`"password":
 * "x"`, `password=x`, `'password': 'x'`): a quoted value to its closing quote, an object or
 * array to the end of the text (no brackets are counted in text that is not JSON). A value
 * not quoted is its first word, and the words after it up to the end of the line unless the
 * next is another pair (`password=x user=ann`): a credential after its scheme is a second
 * word (`Authorization: Bearer …`, `Splunk …`, `AWS id:signature`), and a scheme whose
 * credential is pairs runs to the end (`Digest username=…, response=…`). So a value in
 * words is censored whole, and with it what follows it on the line. Keys in any case.
 * Group 1 is what comes before the value, group 3 the value. Null when a path names no key
 * (`*`): then the whole text is censored.
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
    `(?:${PAIRED_SCHEMES})[ \\t].*|[^\\s,;&}\\]]*(?:[ \\t]+(?!${NEXT_PAIR})\\S.*)?`;
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
