import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { repoRoot } from '../../helpers/paths.js';
import type { RunResult, RunSpec, Runner, RunnerKind } from '../../../runners/types.js';

// The rootless runner must be tested from a really unprivileged process. RemoteRunner compiles the
// runners to plain JS once, then runs each spec in a `node` child started as the test user through
// setpriv, piping its stdio and aborting it with SIGTERM.

const DRIVER = `
import { selectRunner } from './runners/select.js';
const spec = JSON.parse(process.argv[2]);
const choice = process.argv[3] ?? 'rootless';
const ac = new AbortController();
process.on('SIGTERM', () => ac.abort());
if (spec.stdin === 'stream') spec.stdin = process.stdin;
spec.stdout = process.stdout;
spec.stderr = process.stderr;
spec.signal = ac.signal;
const fd3 = (await import('node:fs')).createWriteStream(null, { fd: 3 });
fd3.write('listening\\n');
try {
  const res = await selectRunner(choice).run(spec);
  fd3.end(JSON.stringify({ ok: res }));
} catch (err) {
  fd3.end(JSON.stringify({ error: { message: err.message, code: err.code } }));
}
`;

let compiled: string | undefined;

/** compileRunners builds runners/ (and what it imports) into a world-readable temp dir, once per test file. */
export function compileRunners(): string {
  if (compiled) return compiled;
  const out = mkdtempSync(join(tmpdir(), 'strata-runners-js-'));
  chmodSync(out, 0o755);
  execFileSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules/typescript/bin/tsc'),
      '--outDir', out, '--rootDir', repoRoot, '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
      '--target', 'ES2022', '--types', 'node', '--skipLibCheck', '--strict',
      join(repoRoot, 'runners/select.ts'),
    ],
    { cwd: repoRoot, stdio: 'inherit' },
  );
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(out, 'driver.js'), DRIVER);
  execFileSync('chmod', ['-R', 'a+rX', out]);
  compiled = out;
  return out;
}

/** RemoteRunner runs specs through a compiled runner (rootless by default) in a child process as uid:gid. */
export class RemoteRunner implements Runner {
  readonly kind: RunnerKind = 'rootless';
  /** child: the last driver process started (tests kill it to play a killed strata). */
  child: ReturnType<typeof spawn> | undefined;
  constructor(
    private readonly dir: string,
    private readonly uid: number,
    private readonly gid: number,
    private readonly choice = 'rootless',
    /** tmp: TMPDIR of the driver (a killed driver cannot clean its temp dirs; the test then does). */
    private readonly tmp?: string,
  ) {}

  run(spec: RunSpec): Promise<RunResult> {
    const wire = { ...spec, stdin: typeof spec.stdin === 'object' ? 'stream' : spec.stdin, stdout: undefined, stderr: undefined, signal: undefined };
    const child = spawn('setpriv', ['--reuid', String(this.uid), '--regid', String(this.gid), '--clear-groups', '--', process.execPath, join(this.dir, 'driver.js'), JSON.stringify(wire), this.choice], {
      cwd: this.dir,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/', ...(this.tmp ? { TMPDIR: this.tmp } : {}) },
      stdio: [typeof spec.stdin === 'object' ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    if (typeof spec.stdin === 'object') (spec.stdin as Readable).pipe(child.stdin!);
    if (typeof spec.stdout === 'object') child.stdout!.pipe(spec.stdout, { end: false });
    else child.stdout!.resume();
    if (typeof spec.stderr === 'object') child.stderr!.pipe(spec.stderr, { end: false });
    else child.stderr!.pipe(process.stderr);
    // The driver can only turn SIGTERM into an abort once it listens for it: hold the signal until then.
    let listening = false;
    let pendingAbort = false;
    spec.signal?.addEventListener('abort', () => (listening ? child.kill('SIGTERM') : (pendingAbort = true)), { once: true });
    if (spec.signal?.aborted) pendingAbort = true;
    let report = '';
    (child.stdio[3] as Readable).on('data', (c) => {
      report += c;
      if (!listening && report.startsWith('listening\n')) {
        listening = true;
        report = report.slice('listening\n'.length);
        if (pendingAbort) child.kill('SIGTERM');
      }
    });
    return new Promise((resolve, reject) => {
      child.on('close', () => {
        try {
          const r = JSON.parse(report) as { ok?: RunResult; error?: { message: string; code: string } };
          if (r.ok) resolve(r.ok);
          else reject(Object.assign(new Error(r.error!.message), { code: r.error!.code }));
        } catch {
          reject(new Error(`rootless driver gave no result: ${report}`));
        }
      });
    });
  }
}

/** ensureTestUser creates an unprivileged user with subordinate id ranges and returns its ids. */
export function ensureTestUser(name: string): { uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--no-create-home', '--shell', '/bin/sh', name]);
  }
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  for (const [file, flag] of [['/etc/subuid', '--add-subuids'], ['/etc/subgid', '--add-subgids']] as const) {
    let has = false;
    try {
      has = execFileSync('cat', [file], { encoding: 'utf8' }).split('\n').some((l) => l.startsWith(`${name}:`));
    } catch {
      has = false;
    }
    if (!has) {
      const start = 400000 + (uid % 100) * 70000;
      execFileSync('usermod', [flag, `${start}-${start + 65535}`, name]);
    }
  }
  return { uid, gid };
}
