import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { messageOf } from '../util/thrown.js';

/** A transport's `tls` block, its PEM texts already read. */
export interface PemOptions {
  ca?: string;
  cert?: string;
  key?: string;
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** OpenSSL's `-addtrust` form, which Node takes as a `ca` too (X509Certificate does not read it): taken as it is. */
const TRUSTED = /-----BEGIN TRUSTED CERTIFICATE-----[\s\S]*?-----END TRUSTED CERTIFICATE-----/g;

/**
 * What is wrong with a `tls` block's PEM texts, as Node would find at the first connection:
 * checked when the transport is made, so a config with a key that is no key is refused with
 * its JSON path, rather than every batch failing as if the network did, retried and parked
 * for ever. Node takes a `ca` of no certificate at all without a word (and then trusts
 * nothing), so each of its certificates is read here.
 */
export function pemProblem(tls: PemOptions): { key: string; expected: string } | undefined {
  if (tls.ca !== undefined) {
    const blocks = tls.ca.match(CERTIFICATE) ?? [];
    const trusted = tls.ca.match(TRUSTED) ?? [];
    if (blocks.length === 0 && trusted.length === 0) {
      return { key: 'tls.ca', expected: 'expected PEM certificates (-----BEGIN CERTIFICATE-----)' };
    }
    for (const block of blocks) {
      const why = thrown(() => new X509Certificate(block));
      if (why !== undefined) return { key: 'tls.ca', expected: `expected PEM certificates Node can read (${why})` };
    }
  }
  for (const name of ['cert', 'key'] as const) {
    const text = tls[name];
    if (text === undefined) continue;
    // An encrypted key would need a passphrase, which these transports do not take.
    if (name === 'key' && text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
      return { key: 'tls.key', expected: 'expected a private key that is not encrypted (decrypt it: openssl pkey)' };
    }
    const why = thrown(() => createSecureContext({ [name]: text }));
    const kind = name === 'cert' ? 'certificate' : 'private key';
    if (why !== undefined) return { key: `tls.${name}`, expected: `expected a PEM ${kind} Node can read (${why})` };
  }
  if (tls.cert !== undefined && tls.key !== undefined) {
    const why = thrown(() => createSecureContext({ cert: tls.cert, key: tls.key }));
    if (why !== undefined) return { key: 'tls.key', expected: `expected the private key of tls.cert (${why})` };
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
