import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nsRun, type LaunchContext } from '../common/ns-run.js';
import { shCmd } from '../common/shell-quote.js';
import type { Launch } from '../common/setup-script.js';
import { which } from '../common/which.js';
import { RunnerUnavailableError } from '../errors.js';
import type { OciRuntimeName, RunResult, RunSpec, Runner, RunnerKind, RunnerOptions } from '../types.js';
import { bundleConfig } from './bundle-config.js';

/** usable remembers, per runtime binary, whether it can start a container on this host. */
const usable = new Map<string, Promise<boolean>>();

/**
 * OciRunner writes an OCI runtime bundle (config.json) and runs it with crun or runc. crun is tried first
 * unless `runtime: 'runc'`; a crun that cannot start containers here (crun 1.8 on hybrid cgroups) is
 * detected once and runc used instead. RunResult.runner says which one ran. Needs root.
 */
export class OciRunner implements Runner {
  kind: RunnerKind;
  private readonly stateDir: string;

  constructor(private readonly options: RunnerOptions = {}) {
    this.kind = options.runtime === 'runc' ? 'oci:runc' : 'oci:crun';
    this.stateDir = options.stateDir ?? join(tmpdir(), 'strata-oci');
  }

  async run(spec: RunSpec): Promise<RunResult> {
    if (process.getuid?.() !== 0) throw new RunnerUnavailableError('the oci runner needs root; use --runner rootless');
    const runtime = await this.pickRuntime();
    this.kind = `oci:${runtime}`;
    const root = join(this.stateDir, runtime);
    await mkdir(root, { recursive: true, mode: 0o700 });
    const launcher = async (ctx: LaunchContext): Promise<Launch> => {
      const bundle = join(ctx.tmp, 'bundle');
      await mkdir(bundle);
      // The runtime runs inside the keeper's mount namespace, where "$R" holds the mounted rootfs.
      await writeFile(join(bundle, 'config.json'), JSON.stringify(bundleConfig(ctx, ctx.spec.rootfs)));
      const id = `strata-${randomBytes(6).toString('hex')}`;
      const rt = [runtime, '--root', root];
      return {
        keeperMounts: false,
        start: shCmd([...rt, 'run', '--bundle', bundle, id]),
        // The container may not exist yet when the abort comes: retry (in the background, so the keeper
        // goes back to waiting) until the kill lands or the runtime has exited.
        kill: `(n=0; until ${shCmd([...rt, 'kill', id, 'KILL'])} 2>/dev/null; do kill -0 "$child" 2>/dev/null || break; n=$((n+1)); [ $n -lt 600 ] || break; sleep 0.05; done) &`,
        after: `${shCmd([...rt, 'delete', '--force', id])} >/dev/null 2>&1 || :`,
      };
    };
    return nsRun(spec, this.kind, ['unshare', '--mount', '--propagation', 'private', '--'], launcher);
  }

  /** pickRuntime returns the preferred runtime when installed and working, else the other one. */
  private async pickRuntime(): Promise<OciRuntimeName> {
    const order: OciRuntimeName[] = this.options.runtime === 'runc' ? ['runc', 'crun'] : ['crun', 'runc'];
    const tried: string[] = [];
    for (const name of order) {
      const path = await which(name);
      if (path === undefined) {
        tried.push(`${name} is not installed`);
        continue;
      }
      let ok = usable.get(path);
      if (ok === undefined) {
        ok = probe(name, join(this.stateDir, name));
        usable.set(path, ok);
      }
      if (await ok) return name;
      tried.push(`${name} cannot start containers on this host`);
    }
    throw new RunnerUnavailableError(`oci runner: no usable OCI runtime (${tried.join('; ')})`);
  }
}

/**
 * probe starts a container whose process does not exist: a working runtime gets as far as exec and
 * complains about that path; a broken one fails earlier (cgroups, namespaces) and never mentions it.
 */
async function probe(runtime: OciRuntimeName, root: string): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-oci-probe-'));
  try {
    await mkdir(join(dir, 'rootfs'));
    await mkdir(root, { recursive: true, mode: 0o700 });
    const missing = '/strata-probe-missing';
    const config = {
      ociVersion: '1.0.2',
      process: { terminal: false, user: { uid: 0, gid: 0 }, args: [missing], env: [], cwd: '/' },
      root: { path: join(dir, 'rootfs') },
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
      linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }] },
    };
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    const id = `strata-probe-${randomBytes(4).toString('hex')}`;
    const out = await new Promise<string>((resolve) => {
      const p = spawn(runtime, ['--root', root, 'run', '--bundle', dir, id], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      p.stdout.on('data', (c) => (text += c));
      p.stderr.on('data', (c) => (text += c));
      p.on('error', () => resolve(''));
      p.on('close', () => resolve(text));
    });
    spawn(runtime, ['--root', root, 'delete', '--force', id], { stdio: 'ignore' }).on('error', () => {});
    return out.includes(missing);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
