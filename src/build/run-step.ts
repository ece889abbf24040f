import { randomBytes } from 'node:crypto';
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { Runner, UserSpec } from '../../runners/types.js';
import type { StepOp } from '../plan/types.js';
import { StrataError } from '../util/errors.js';
import { mountDeps, type RunMountOptions } from './run-mount-deps.js';
import { prepareRunMounts, type PreparedMounts } from './run-mounts.js';
import type { FsView } from './fs-view.js';
import { CompactCollector, type CompactIndex } from './layer-index-view.js';
import { chainId, DIFF_ID_LABEL, type SnapshotChains } from './snapshots.js';
import type { RunContext, RunHandler } from './types.js';
import { UnknownUserError } from './user-db.js';

/** RunFailedError: the RUN command exited non-zero; the message carries the last lines it printed. */
export class RunFailedError extends StrataError {
  readonly exitCode: number;
  constructor(exitCode: number, lastLines: string[]) {
    super('RUN_FAILED', `RUN exited with code ${exitCode}${lastLines.length ? `\n${lastLines.map((l) => `  ${l}`).join('\n')}` : ''}`);
    this.exitCode = exitCode;
  }
}

const KEEP_LINES = 10;

/**
 * snapshotRunHandler runs RUN steps with a runner on a writable snapshot of the parent chain:
 * prepare → run → diff (the layer) → commit as the new chain's snapshot, so the next step starts
 * from it without unpacking anything again.
 */
export function snapshotRunHandler(chains: SnapshotChains, runner: Runner, defaultNetwork: 'host' | 'none' = 'host', mountOptions: RunMountOptions = {}): RunHandler {
  const deps = mountDeps(chains, mountOptions);
  return {
    async run(ctx) {
      const op = ctx.step.op as Extract<StepOp, { kind: 'run' }>;
      const parentView = await ctx.parentView();
      const user = await resolveRunUser(op.user, parentView);
      const prepared = await prepareRunMounts(op, ctx.mountSources, deps, user);
      try {
        return await runPrepared(ctx, op, user, prepared);
      } finally {
        await prepared.release();
      }
    },
  };

  async function runPrepared(ctx: RunContext, op: Extract<StepOp, { kind: 'run' }>, user: UserSpec, prepared: PreparedMounts): Promise<{ tar: Readable; finish: (diffID?: string) => Promise<void>; index: () => CompactIndex }> {
      const top = await chains.ensure(ctx.parent);
      const key = `run-${randomBytes(8).toString('hex')}`;
      const sn = chains.snapshotter;
      const mounts = await sn.prepare(key, top);
      const rootfs = await mkdtemp(join(tmpdir(), 'strata-rootfs-'));
      const tail: string[] = [];
      const output = new PassThrough();
      let partial = '';
      output.on('data', (chunk: Buffer) => {
        const text = partial + chunk.toString('utf8');
        const lines = text.split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) {
          ctx.log(l);
          tail.push(l);
          if (tail.length > KEEP_LINES) tail.shift();
        }
      });
      let result;
      try {
        result = await runner.run({
          rootfs,
          rootfsMounts: mounts,
          args: op.args,
          env: [...op.env, ...prepared.env],
          cwd: op.workdir,
          user,
          mounts: prepared.mounts,
          // RUN --network wins; otherwise the build's --network (there is no bridge: default is host)
          network: op.network === 'default' ? defaultNetwork : op.network,
          stdin: 'ignore',
          stdout: output,
          stderr: output,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
      } catch (err) {
        await sn.remove(key).catch(() => undefined);
        await rmdir(rootfs).catch(() => undefined);
        throw err;
      }
      if (partial) {
        ctx.log(partial);
        tail.push(partial);
        if (tail.length > KEEP_LINES) tail.shift();
      }
      await rmdir(rootfs).catch(() => undefined);
      if (result.exitCode !== 0) {
        await sn.remove(key).catch(() => undefined);
        throw new RunFailedError(result.exitCode, tail);
      }
      const collector = new CompactCollector();
      const tar = sn.diff(key, { onEntry: collector.observe, ...(ctx.epoch !== undefined ? { sourceDateEpoch: ctx.epoch } : {}) });
      return {
        tar,
        index: () => collector.result(),
        finish: async (diffID) => {
          if (diffID === undefined) {
            await sn.remove(key).catch(() => undefined);
            return;
          }
          const name = chainId(top, diffID);
          if (await sn.has(name)) await sn.remove(key).catch(() => undefined);
          else await sn.commit(name, key, { labels: { [DIFF_ID_LABEL]: diffID } });
        },
      };
  }
}

/** resolveRunUser turns USER (`name`, `uid`, `name:group`, `uid:gid`) into ids, as runc does. */
export async function resolveRunUser(spec: string, view: FsView): Promise<UserSpec> {
  if (spec === '') return { uid: 0, gid: 0 };
  const [u = '', g] = spec.split(':', 2) as [string, string | undefined];
  const passwd = ((await view.readSmallFile('etc/passwd'))?.toString('utf8') ?? '').split('\n').map((l) => l.split(':'));
  const group = ((await view.readSmallFile('etc/group'))?.toString('utf8') ?? '').split('\n').map((l) => l.split(':'));
  let uid: number;
  let gid = 0;
  if (/^[0-9]+$/.test(u)) {
    uid = Number(u);
    const p = passwd.find((f) => f[2] === u);
    if (p) gid = Number(p[3]);
  } else {
    const p = passwd.find((f) => f[0] === u);
    if (!p) throw new UnknownUserError(`unable to find user ${u}: no matching entries in passwd file`);
    uid = Number(p[2]);
    gid = Number(p[3]);
  }
  if (g !== undefined && g !== '') {
    if (/^[0-9]+$/.test(g)) gid = Number(g);
    else {
      const gr = group.find((f) => f[0] === g);
      if (!gr) throw new UnknownUserError(`unable to find group ${g}: no matching entries in group file`);
      gid = Number(gr[2]);
    }
  }
  return { uid, gid };
}
