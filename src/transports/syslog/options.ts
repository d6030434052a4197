import type { BatchStats, BatchTransportOptions } from '../../core/plugin/batch-transport.js';
import type { Framing } from './framing.js';
import type { FacilityName } from './severity.js';

export type SyslogProtocol = 'tcp' | 'tls' | 'udp' | 'relp';

export interface SyslogTlsOptions {
  /** PEM text of the CA(s) the receiver's certificate is checked against (default: Node's roots). */
  ca?: string | undefined;
  /** PEM text of a client certificate and its key, for receivers that ask for one. */
  cert?: string | undefined;
  key?: string | undefined;
  /** Check the receiver's certificate (default true). */
  rejectUnauthorized?: boolean | undefined;
  /** Name the certificate must carry (default: `host` when it is a name, not an IP address). */
  servername?: string | undefined;
}

export interface SyslogTransportOptions extends BatchTransportOptions {
  /** Default tcp. */
  protocol?: SyslogProtocol | undefined;
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Default 514 (6514 for tls, 2514 for relp). */
  port?: number | undefined;
  /** Name or number 0-23 (default user). */
  facility?: FacilityName | number | undefined;
  /** APP-NAME (default: the record's `name`). */
  appName?: string | undefined;
  /** HOSTNAME (default: os.hostname()). */
  hostname?: string | undefined;
  /** PROCID (default: process.pid). */
  procId?: string | undefined;
  /** The record field that gives MSGID (a dotted path reaches into objects). */
  msgIdField?: string | undefined;
  /** SD-ID → fields that become its params: `{ "req@32473": ["reqId", "req.method"] }`. */
  structuredData?: Record<string, string[]> | undefined;
  /** Stream framing of tcp and tls (default octet-counting); udp and relp send each message on its own. */
  framing?: Framing | undefined;
  /** Severity of `fatal` records (default crit). */
  fatalSeverity?: 'crit' | 'emerg' | undefined;
  /** A message longer than this is cut (default 2048 for udp, 8096 for tcp, tls and relp: rsyslog's default limit). */
  maxMessageBytes?: number | undefined;
  /** Prefix MSG with a byte order mark, RFC 5424's MSG-UTF8 (default false). */
  utf8Bom?: boolean | undefined;
  /** For protocol tls; with protocol relp, the RELP session runs over a TLS connection made with these. */
  tls?: SyslogTlsOptions | undefined;
  /**
   * A connection (with tls: and its handshake; for relp: and its session) not made within this is an
   * attempt failed (default 10 s).
   */
  connectTimeoutMs?: number | undefined;
  /** relp: messages sent and not yet acknowledged, at most (default 128, librelp's). */
  relpWindow?: number | undefined;
}

/** What the syslog transport adds to stats(). */
export interface SyslogStats extends BatchStats {
  /** Messages cut to `maxMessageBytes`. */
  truncated: number;
  /** Connections (relp: sessions) made, and connections that ended under us (tcp, tls, relp). */
  connects: number;
  drops: number;
}
