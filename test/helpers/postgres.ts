/**
 * A throw-away PostgreSQL server for the multi-worker tests: Debian's PostgreSQL binaries
 * (apt-get installed once when missing and we are root, as the editor tests install theirs),
 * initdb into a temporary folder, started by pg_ctl on 127.0.0.1 and a free port (no other
 * interface), with trust authentication for one user, stopped and deleted by stop().
 * PostgreSQL refuses to run as root: when the tests run as root, the server runs as the
 * `postgres` user (made by Debian's package) or `nobody`.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort((a, b) => Number(b) - Number(a))) {
      const dir = join(root, version, 'bin');
      if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
    }
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 ? join(which.stdout.trim(), '..') : undefined;
}

/** Debian's PostgreSQL server binaries, installed when missing; throws with the reason when they cannot be had. */
function ensureBinaries(): string {
  let dir = binDir();
  if (dir) return dir;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error('PostgreSQL (initdb, pg_ctl) not found, and not root to apt-get install postgresql');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { env, encoding: 'utf8', timeout: 900_000 });
  let r = apt(['install', '-y', '--no-install-recommends', 'postgresql']);
  if (r.status !== 0) {
    apt(['update']);
    r = apt(['install', '-y', '--no-install-recommends', 'postgresql']);
  }
  dir = binDir();
  if (!dir) throw new Error(`apt-get install postgresql failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-2).join(' | ')}`);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** uid/gid to run the server as: ourselves, or when root an unprivileged account. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (r.status === 0 && g.status === 0) return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
  }
  throw new Error('running as root, and neither a postgres nor a nobody account to run PostgreSQL as');
}

export interface Postgres {
  /** postgresql://optpar@127.0.0.1:PORT/postgres */
  url: string;
  stop(): void;
}

export async function startPostgres(): Promise<Postgres> {
  const bin = ensureBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'optpar-pg-'));
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(join(bin, cmd), args, { encoding: 'utf8', timeout: 120_000, cwd: dir, ...(user ?? {}) });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout || String(r.error)).trim()}`);
  };
  run('initdb', ['-D', data, '-U', 'optpar', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // Loopback only; the socket in our own folder; fsync off: the data is thrown away after the test.
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=50`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  return {
    url: `postgresql://optpar@127.0.0.1:${port}/postgres`,
    stop() {
      spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { cwd: dir, timeout: 60_000, ...(user ?? {}) });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
