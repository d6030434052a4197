import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

// The ClickHouse test's server, so `npm test` behaves the same on a laptop and in CI: one
// already answering on 127.0.0.1:8123 (.ci/run starts one) is used; else, where the
// binary is installed, this starts its own on free ports with a data folder under the temp
// folder, and stops it by PID afterwards. Where the binary is absent the test skips, loudly.

const BINARY = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'].find((path) => existsSync(path));
const CONFIG = '/etc/clickhouse-server/config.xml';

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(new URL('/ping', url), { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export default async function startClickHouse(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.CLICKHOUSE_URL !== undefined || (await answers('http://127.0.0.1:8123/'))) return undefined;
  if (BINARY === undefined || !existsSync(CONFIG)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-clickhouse-'));
  const [http, tcp, interserver] = [await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    BINARY,
    [
      `--config-file=${CONFIG}`,
      '--',
      `--path=${dir}/data/`,
      `--tmp_path=${dir}/tmp/`,
      `--user_files_path=${dir}/user_files/`,
      `--format_schema_path=${dir}/format_schemas/`,
      `--http_port=${http}`,
      `--tcp_port=${tcp}`,
      `--interserver_http_port=${interserver}`,
      '--mysql_port=0',
      '--postgresql_port=0',
      `--logger.log=${dir}/server.log`,
      `--logger.errorlog=${dir}/error.log`,
      '--logger.console=0',
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${http}/`;
  for (let i = 0; i < 120 && child.exitCode === null && !(await answers(url)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (child.exitCode === null) process.env.CLICKHOUSE_URL = url;
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
