import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RSYSLOGD, Rsyslog, type RsyslogInfo } from '../transports/syslog/rsyslog.js';

// One rsyslogd for the syslog transport's tests, where the binary is installed (.ci/run
// installs Debian's rsyslog, rsyslog-gnutls and rsyslog-relp): its own config, ports and
// folder under the temp folder, handed to the tests in $STREAMLOG_RSYSLOG, stopped by PID
// afterwards. Where the binary is absent the tests skip, loudly; where imrelp is, the RELP ones.

export default async function startRsyslog(): Promise<(() => Promise<void>) | undefined> {
  if (RSYSLOGD === undefined || process.env.STREAMLOG_RSYSLOG !== undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-rsyslog-'));
  const rsyslog = await Rsyslog.create(dir);
  await rsyslog.start();
  const info: RsyslogInfo = {
    ...rsyslog.ports,
    dir,
    output: rsyslog.output,
    ca: join(dir, 'ca.pem'),
    pid: rsyslog.pid,
  };
  process.env.STREAMLOG_RSYSLOG = JSON.stringify(info);
  return async () => {
    await rsyslog.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
