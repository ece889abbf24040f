import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { cliPath } from '../helpers/paths.js';
import { makeTestImage } from '../helpers/registry-image.js';
import { makeTlsIdentity, startRegistry, TEST_PASSWORD, TEST_USER, type TestRegistry, type TlsIdentity } from '../helpers/registry-server.js';

interface Run { code: number; stdout: string; stderr: string }

function strata(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cliPath, args, { env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * NODE_EXTRA_CA_CERTS keeps working through dist/strata, which hands it to strata instead of to Node's
 * start-up (util/tls-trust.ts): a registry's token service and an ADD URL served over HTTPS by a
 * certificate of a test CA are trusted with the variable and refused without it, and programs strata
 * starts (a credential helper) see the variable as the user set it.
 */
describe('extra CA certificates (NODE_EXTRA_CA_CERTS) through the strata command', () => {
  let dir: string;
  let tls: TlsIdentity;
  let reg: TestRegistry;
  let files: Server;
  let filesUrl: string;
  let base: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-tls-'));
    tls = makeTlsIdentity(dir);
    reg = await startRegistry('token', { tokenTls: tls });
    files = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      if (req.url === '/hello.txt') res.writeHead(200, { 'content-type': 'text/plain' }).end('hello over tls\n');
      else if (req.url === '/moved/hello.txt') res.writeHead(302, { location: '/hello.txt' }).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    filesUrl = `https://127.0.0.1:${(files.address() as AddressInfo).port}`;
    // A credential helper that answers with the test user and records the variable it was given.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'docker-credential-envcheck'),
      `#!/bin/sh\nprintf '%s' "\${NODE_EXTRA_CA_CERTS:-unset}" > ${join(dir, 'helper-saw')}\ncat >/dev/null\nprintf '{"ServerURL":"%s","Username":"${TEST_USER}","Secret":"${TEST_PASSWORD}"}' "${reg.host}"\n`,
    );
    chmodSync(join(bin, 'docker-credential-envcheck'), 0o755);
    mkdirSync(join(dir, 'docker'));
    writeFileSync(join(dir, 'docker', 'config.json'), JSON.stringify({ credHelpers: { [reg.host]: 'envcheck' } }));
    base = { ...process.env, PATH: `${bin}:${process.env.PATH}`, DOCKER_CONFIG: join(dir, 'docker') };
    delete base.NODE_EXTRA_CA_CERTS;
    delete base.STRATA_EXTRA_CA_CERTS;
    const store = openStore(join(dir, 'store'));
    try {
      await makeTestImage(store, `${reg.host}/team/app:1`, { layers: 1 });
    } finally {
      store.close();
    }
  });
  afterAll(async () => {
    await reg?.stop();
    await new Promise((r) => files?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a token service over HTTPS: refused without the CA, trusted with it; the helper sees the variable', async () => {
    const args = ['--root', join(dir, 'store'), 'push', '-q', `${reg.host}/team/app:1`];
    const refused = await strata(args, base);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/certificate/i);
    expect(reg.tokensIssued()).toBe(0);

    const pushed = await strata(args, { ...base, NODE_EXTRA_CA_CERTS: tls.caPath });
    expect(pushed.stderr).toBe('');
    expect(pushed.code).toBe(0);
    expect(reg.tokensIssued()).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'helper-saw'), 'utf8')).toBe(tls.caPath);

    const pulled = await strata(['--root', join(dir, 'other'), 'pull', '-q', `${reg.host}/team/app:1`], { ...base, NODE_EXTRA_CA_CERTS: tls.caPath });
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
  });

  it('ADD of an https URL: refused without the CA, downloaded with it', async () => {
    const ctx = join(dir, 'ctx');
    mkdirSync(ctx, { recursive: true });
    // the second ADD is redirected, as downloads from release pages are
    writeFileSync(join(ctx, 'Dockerfile'), `FROM scratch\nADD ${filesUrl}/hello.txt /hello.txt\nADD ${filesUrl}/moved/hello.txt /moved.txt\n`);
    const build = (out: string, env: NodeJS.ProcessEnv) => strata(['--root', join(dir, 'build-store'), 'build', '--progress', 'plain', '--output', `type=local,dest=${out}`, ctx], env);
    const refused = await build(join(dir, 'out-refused'), base);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/certificate/i);
    const ok = await build(join(dir, 'out'), { ...base, NODE_EXTRA_CA_CERTS: tls.caPath });
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out', 'hello.txt'), 'utf8')).toBe('hello over tls\n');
    expect(readFileSync(join(dir, 'out', 'moved.txt'), 'utf8')).toBe('hello over tls\n');
  });
});
