import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cliPath } from './paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** strata runs the compiled CLI against a store root and waits for it. */
export function strata(root: string, args: string[], opts: { input?: Buffer | string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(cliPath, ['--root', root, ...args], {
    input: opts.input,
    env: { ...process.env, ...opts.env },
    maxBuffer: 256 << 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** strataOk is strata() that fails the test (with the CLI's stderr) on a non-zero exit. */
export function strataOk(root: string, args: string[], opts: { input?: Buffer | string } = {}): string {
  const r = strata(root, args, opts);
  if (r.code !== 0) throw new Error(`strata ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** strataSpawn starts the CLI without waiting (for kill and concurrency tests). */
export function strataSpawn(root: string, args: string[], opts: { stdin?: boolean } = {}): ChildProcess {
  return spawn(cliPath, ['--root', root, ...args], { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
}

/** run runs a tool and fails with its stderr on a non-zero exit. */
export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { ...opts, maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr?.toString()}`);
  return r.stdout.toString();
}
