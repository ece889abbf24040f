import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/paths.js';
import { tarBuffer } from '../helpers/tar.js';

/**
 * A rootless store: strata run as an unprivileged user (uid 65534 through setpriv) keeps its store under
 * $XDG_DATA_HOME/strata and refuses device files it could never create.
 */
// uid 65534 must be able to run the compiled CLI where the checkout lives (not under a 0700 home).
const canSwitchUser =
  process.getuid?.() === 0 &&
  spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', cliPath, '--version']).status === 0;
if (!canSwitchUser) console.warn('image-rootless: SKIPPED, needs root, setpriv (util-linux) and a checkout uid 65534 can read, to run strata as an unprivileged user');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'strata-rootless-'));
  chmodSync(work, 0o777);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function asNobody(args: string[], env: Record<string, string>) {
  const r = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', cliPath, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, ...env },
  });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

describe('rootless store', () => {
  it.skipIf(!canSwitchUser)('lives under $XDG_DATA_HOME/strata and refuses device files', async () => {
    const xdg = join(work, 'xdg');
    const devTar = join(work, 'dev.tar');
    writeFileSync(devTar, await tarBuffer({ 'dev/null': { header: { type: 'character-device', devmajor: 1, devminor: 3 } }, 'etc/x': 'x' }));
    chmodSync(devTar, 0o644);
    const okTar = join(work, 'ok.tar');
    writeFileSync(okTar, await tarBuffer({ 'etc/x': 'x' }));
    chmodSync(okTar, 0o644);
    const env = { XDG_DATA_HOME: xdg };
    const refused = asNobody(['import', devTar, 'dev'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('error: dev/null: device file in a rootless store\n');
    const store = join(xdg, 'strata');
    expect(existsSync(join(store, 'meta.db'))).toBe(true);
    expect(readdirSync(join(store, 'blobs', 'sha256'))).toEqual([]);
    const ok = asNobody(['import', okTar, 'fine'], env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(asNobody(['images', '--format', '{{.Repository}}'], env).stdout).toBe('fine\n');
  });
});
