import { createPrivateKey, X509Certificate } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { readBounded } from '../io/read-bounded.js';
import { messageOf } from '../util/thrown.js';

/** A transport's `tls` block, its PEM texts already read. */
export interface PemOptions {
  ca?: string;
  cert?: string;
  key?: string;
}

/** The labels of the certificate blocks a `ca` may hold, as Node reads them. */
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const BEGIN_LINE = /^-----BEGIN ([A-Z0-9 ]+)-----/gm;
const END_LINE = /^-----END ([A-Z0-9 ]+)-----/gm;

/**
 * The PEM blocks of a text, read as OpenSSL reads them (and Node's `ca` with it): from a line
 * that begins one to the next END line; when that line ends another label, or there is none,
 * reading stops there and Node loads nothing after it: that block is the last, `cut`. One pass
 * (a lazy pattern from BEGIN to END took quadratic time over many BEGIN lines and no END).
 */
function pemBlocks(text: string): { label: string; block: string; cut: boolean }[] {
  const blocks: { label: string; block: string; cut: boolean }[] = [];
  BEGIN_LINE.lastIndex = 0;
  for (let begin = BEGIN_LINE.exec(text); begin !== null; begin = BEGIN_LINE.exec(text)) {
    const label = begin[1]!;
    END_LINE.lastIndex = BEGIN_LINE.lastIndex;
    const end = END_LINE.exec(text);
    const cut = end === null || end[1] !== label;
    blocks.push({ label, block: text.slice(begin.index, end === null ? text.length : END_LINE.lastIndex), cut });
    if (cut) break;
    BEGIN_LINE.lastIndex = END_LINE.lastIndex;
  }
  return blocks;
}

/**
 * The certificate a block holds. OpenSSL's TRUSTED CERTIFICATE (`-addtrust`), which Node
 * takes as a `ca` and X509Certificate does not read, is the certificate's DER followed by
 * its trust settings: the certificate is read from its first DER sequence.
 */
function readCertificate(label: string, block: string): void {
  if (label !== 'TRUSTED CERTIFICATE') {
    new X509Certificate(block);
    return;
  }
  const der = Buffer.from(block.replace(/-----[A-Z0-9 ]+-----/g, ''), 'base64');
  new X509Certificate(der.subarray(0, derSequenceLength(der)));
}

/** The length of the DER SEQUENCE at the start of `der`, header included (its whole length if it is none). */
function derSequenceLength(der: Buffer): number {
  if (der.length < 2 || der[0] !== 0x30) return der.length;
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const octets = first & 0x7f;
  let length = 0;
  for (let i = 0; i < octets && i < 4; i++) length = length * 256 + (der[2 + i] ?? 0);
  return 2 + octets + length;
}

/** Larger than any certificate bundle (the system's roots are about 200 KB). */
const MAX_PEM_BYTES = 4 * 1024 * 1024;

/**
 * A PEM file's text: a regular file, opened without waiting (a FIFO no one writes to, named by
 * mistake, would hold the start for ever) and of a size a bundle can have (not /dev/zero).
 */
function readPemFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error('not a regular file');
    const bytes = stat.size > MAX_PEM_BYTES ? undefined : readBounded(fd, MAX_PEM_BYTES);
    if (bytes === undefined) throw new Error(`over the ${MAX_PEM_BYTES >> 20} MiB a PEM file may be`);
    return bytes.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

type PemCheck<T> = { tls: T; problem?: undefined } | { tls?: undefined; problem: { key: string; expected: string } };

/**
 * A `tls` block with each PEM option read (the text itself, or the file it names, relative
 * to the config's folder) and checked (see pemProblem); or the problem, at its key.
 */
export function checkedPem<T extends PemOptions>(tls: T, baseDir: string): PemCheck<T> {
  const read: T = { ...tls };
  for (const name of ['ca', 'cert', 'key'] as const) {
    const value = tls[name];
    if (value === undefined || value.includes('-----BEGIN')) continue;
    try {
      read[name] = readPemFile(resolve(baseDir, value));
    } catch (error) {
      const expected = `expected PEM text or a file to read (could not read ${value}: ${messageOf(error)})`;
      return { problem: { key: `tls.${name}`, expected } };
    }
  }
  const problem = pemProblem(read);
  return problem === undefined ? { tls: read } : { problem };
}

/**
 * What is wrong with a `tls` block's PEM texts, as Node would find at the first connection:
 * checked when the transport is made, so a config with a key that is no key is refused with
 * its JSON path, rather than every batch failing as if the network did, retried and parked
 * for ever. Node takes a `ca` of no certificate at all without a word (and then trusts
 * nothing), so each of its certificates is read here.
 */
function pemProblem(tls: PemOptions): { key: string; expected: string } | undefined {
  if (tls.ca !== undefined) {
    const blocks = pemBlocks(tls.ca);
    const cut = blocks.find((block) => block.cut);
    if (cut !== undefined) {
      const why = `a -----BEGIN ${cut.label}----- line without its END line: Node reads nothing from there on`;
      return { key: 'tls.ca', expected: `expected PEM certificates Node can read (${why})` };
    }
    const certificates = blocks.filter(({ label }) => CERTIFICATE_LABELS.has(label));
    if (certificates.length === 0) {
      return { key: 'tls.ca', expected: 'expected PEM certificates (-----BEGIN CERTIFICATE-----)' };
    }
    for (const { label, block } of certificates) {
      const why = thrown(() => readCertificate(label, block));
      if (why !== undefined) return { key: 'tls.ca', expected: `expected PEM certificates Node can read (${why})` };
    }
  }
  for (const name of ['cert', 'key'] as const) {
    const text = tls[name];
    if (text === undefined) continue;
    // An encrypted key would need a passphrase, which these transports do not take.
    if (
      name === 'key' &&
      (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /^Proc-Type: 4,ENCRYPTED/m.test(text))
    ) {
      return { key: 'tls.key', expected: 'expected a private key that is not encrypted (decrypt it: openssl pkey)' };
    }
    const why = thrown(() => createSecureContext({ [name]: text }));
    const kind = name === 'cert' ? 'certificate' : 'private key';
    if (why !== undefined) return { key: `tls.${name}`, expected: `expected a PEM ${kind} Node can read (${why})` };
  }
  if (tls.cert !== undefined && tls.key !== undefined) {
    // A key of another type than the certificate's passes createSecureContext (each type has
    // a slot of its own), and the handshake then sends no certificate: compared here.
    const { cert, key } = tls;
    let matches = false;
    const why = thrown(() => {
      matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
    });
    if (why !== undefined || !matches) {
      return { key: 'tls.key', expected: `expected the private key of tls.cert (${why ?? 'it is another key'})` };
    }
  }
  return undefined;
}

function thrown(act: () => unknown): string | undefined {
  try {
    act();
    return undefined;
  } catch (error) {
    return messageOf(error);
  }
}
