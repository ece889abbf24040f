import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, openSync, closeSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A real CNCF distribution registry (Debian's /usr/bin/docker-registry) on 127.0.0.1, with its
 * own temp storage directory, in one of three auth modes: none, htpasswd Basic, or token auth
 * backed by a small token service in this process that signs the JWTs the registry verifies.
 */
export type RegistryAuthMode = 'none' | 'basic' | 'token';

export interface TestRegistry {
  /** `127.0.0.1:PORT`, usable as a reference's host. */
  host: string;
  port: number;
  storageDir: string;
  auth: RegistryAuthMode;
  /** the user and password accepted in basic/token modes. */
  username: string;
  password: string;
  /** token mode: how many tokens the token service has issued. */
  tokensIssued(): number;
  /** the registry's log so far (for failing tests). */
  log(): string;
  /** blobPath is where the registry stores a blob's bytes (to corrupt it in a test). */
  blobPath(digest: string): string;
  stop(): Promise<void>;
}

export const TEST_USER = 'strata';
export const TEST_PASSWORD = 'correct horse battery staple';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

/** freePort asks the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** htpasswdLine makes a bcrypt htpasswd entry (distribution accepts bcrypt only) with apache2-utils' htpasswd. */
function htpasswdLine(user: string, password: string): string {
  return execFileSync('htpasswd', ['-nbB', '-C', '5', user, password], { encoding: 'utf8' }).trim();
}

/** libtrustKeyId is the `kid` distribution expects: base32 of the first 240 bits of sha256(SPKI DER), in 4-char groups. */
function libtrustKeyId(pub: KeyObject): string {
  const der = pub.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of hash) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(':');
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

interface TokenService {
  realm: string;
  issued: () => number;
  close: () => Promise<void>;
}

/** TlsIdentity is a server key and certificate (PEM) and the CA that signed them. */
export interface TlsIdentity {
  key: string;
  cert: string;
  /** caPath: the signing CA's certificate, for a client to trust. */
  caPath: string;
}

/**
 * makeTlsIdentity makes, with openssl, a test CA and a certificate it signs for 127.0.0.1, so that a
 * TLS server on loopback is trusted only by a client that was given the CA.
 */
export function makeTlsIdentity(dir: string): TlsIdentity {
  const p = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  execFileSync('openssl', ['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=strata-test-ca'], { stdio: 'ignore' });
  execFileSync('openssl', ['req', ...ec, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  execFileSync('openssl', ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '2', '-extfile', p('server.ext')], { stdio: 'ignore' });
  return { key: readFileSync(p('server.key'), 'utf8'), cert: readFileSync(p('server.pem'), 'utf8'), caPath: p('ca.pem') };
}

async function startTokenService(dir: string, service: string, issuer: string, tls?: TlsIdentity): Promise<TokenService & { certPath: string }> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=strata-test-token'], { stdio: 'ignore' });
  const key = createPrivateKey(readFileSync(keyPath));
  const kid = libtrustKeyId(createPublicKey(key));
  let issued = 0;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const authz = req.headers.authorization ?? '';
    const authenticated = authz.startsWith('Basic ') && Buffer.from(authz.slice(6), 'base64').toString() === `${TEST_USER}:${TEST_PASSWORD}`;
    if (authz && !authenticated) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
      return;
    }
    // Authenticated users get what they ask for; anonymous users get nothing (the registry then says 401).
    const access = authenticated
      ? url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).map((s) => {
          const [type, name, actions] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1, s.lastIndexOf(':')), s.slice(s.lastIndexOf(':') + 1)];
          return { type, name, actions: actions.split(',') };
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid };
    const claims = { iss: issuer, sub: authenticated ? TEST_USER : '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
    issued++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { realm: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/token`, issued: () => issued, close: () => closeServer(server), certPath };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
}

/**
 * startRegistry starts docker-registry and waits until /v2/ answers. With `tokenTls`, token mode's
 * token service answers over HTTPS with that identity (the registry itself stays plain HTTP on
 * loopback, as a local registry may).
 */
export async function startRegistry(auth: RegistryAuthMode = 'none', opts: { tokenTls?: TlsIdentity } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-registry-'));
  const storageDir = join(dir, 'storage');
  const port = await freePort();
  let token: (TokenService & { certPath: string }) | undefined;
  let authYaml = '';
  if (auth === 'basic') {
    writeFileSync(join(dir, 'htpasswd'), `${htpasswdLine(TEST_USER, TEST_PASSWORD)}\n`);
    authYaml = `auth:\n  htpasswd:\n    realm: strata-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    token = await startTokenService(dir, 'strata-test-registry', 'strata-test-issuer', opts.tokenTls);
    authYaml = `auth:\n  token:\n    realm: ${token.realm}\n    service: strata-test-registry\n    issuer: strata-test-issuer\n    rootcertbundle: ${token.certPath}\n`;
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomUUID()}`,
    authYaml,
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  const logPath = join(dir, 'registry.log');
  const logFd = openSync(logPath, 'w');
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let exited = false;
  child.on('exit', () => (exited = true));
  const readLog = (): string => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  // Readiness: poll until /v2/ gives any HTTP answer (200 or 401); the registry needs a moment to bind.
  for (let i = 0; ; i++) {
    if (exited) throw new Error(`docker-registry exited at start:\n${readLog()}`);
    if (await answers(port)) break;
    if (i > 400) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not answer on ${port}:\n${readLog()}`);
    }
    await sleep(25);
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    storageDir,
    auth,
    username: TEST_USER,
    password: TEST_PASSWORD,
    tokensIssued: () => token?.issued() ?? 0,
    log: readLog,
    blobPath: (digest: string) => {
      const hex = digest.replace(/^sha256:/, '');
      return join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    stop: async () => {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      await token?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/v2/', method: 'GET' }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** FaultProxy sits in front of a registry and misbehaves on purpose. */
export interface FaultProxy {
  host: string;
  /** cut the next N blob GETs after `afterBytes` bytes of body (ranged GETs too when `ranged`). */
  cutBlobs(times: number, afterBytes: number, opts?: { ranged?: boolean; stall?: boolean }): void;
  /** answer blob GETs with a 307 to another path of this proxy, as registries backed by object storage do. */
  redirectBlobs(on: boolean): void;
  /** answer the next N requests with 503 (to exercise retries). */
  fail(times: number, status?: number): void;
  /**
   * hold the GET of blob `held` until a GET of blob `until` arrives (or `timeoutMs` passes, counted
   * in stats.holdTimeouts): shows that a client asks for the second without waiting for the first.
   */
  holdBlob(held: string, until: string, timeoutMs?: number): void;
  /** how many blob GETs were cut, ranged GETs seen, redirects served, and holds that timed out. */
  stats: { cuts: number; rangeRequests: number; redirects: number; failures: number; holdTimeouts: number };
  stop(): Promise<void>;
}

/** startFaultProxy forwards HTTP to target (`127.0.0.1:PORT`) and injects the faults asked for. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  let cutTimes = 0;
  let cutAfter = 0;
  let cutRanged = false;
  let cutStall = false;
  const stalled: ServerResponse[] = [];
  let redirect = false;
  let failTimes = 0;
  let failStatus = 503;
  const stats = { cuts: 0, rangeRequests: 0, redirects: 0, failures: 0, holdTimeouts: 0 };
  let hold: { held: string; until: string; timeoutMs: number; release?: () => void; arrived: boolean } | undefined;
  const forward = (req: IncomingMessage, res: ServerResponse, path: string, onBody?: (upstream: IncomingMessage) => void): void => {
    const headers = { ...req.headers, host: target };
    const up = httpRequest({ host: targetHost, port: Number(targetPort), path, method: req.method, headers }, (upRes) => {
      if (onBody) return onBody(upRes);
      res.writeHead(upRes.statusCode ?? 502, rewriteLocation(upRes.headers, target, proxyHost));
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  };
  let proxyHost = '';
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (failTimes > 0) {
      failTimes--;
      stats.failures++;
      req.resume();
      res.writeHead(failStatus, { 'content-type': 'text/plain' }).end('injected failure');
      return;
    }
    const isBlobGet = req.method === 'GET' && /\/blobs\/sha256:/.test(url);
    if (isBlobGet && redirect && !url.startsWith('/_storage')) {
      stats.redirects++;
      req.resume();
      res.writeHead(307, { location: `/_storage${url}` }).end();
      return;
    }
    const path = url.startsWith('/_storage') ? url.slice('/_storage'.length) : url;
    if (isBlobGet && hold) {
      const h = hold;
      if (url.includes(h.until)) {
        hold = undefined; // one request is held, once
        h.arrived = true;
        h.release?.();
      } else if (url.includes(h.held) && !h.arrived && !h.release) {
        const timer = setTimeout(() => {
          stats.holdTimeouts++;
          hold = undefined;
          h.release?.();
        }, h.timeoutMs);
        h.release = () => {
          clearTimeout(timer);
          forward(req, res, path);
        };
        return;
      }
    }
    if (isBlobGet && req.headers.range) stats.rangeRequests++;
    if (isBlobGet && (!req.headers.range || cutRanged) && cutTimes > 0) {
      forward(req, res, path, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        let sent = 0;
        let cut = false;
        upRes.on('data', (chunk: Buffer) => {
          if (cut) return;
          // only a body longer than cutAfter is cut (and counted): small blobs pass whole
          if (cutTimes <= 0 || sent + chunk.length <= cutAfter) {
            sent += chunk.length;
            res.write(chunk);
            return;
          }
          cut = true;
          cutTimes--;
          stats.cuts++;
          res.write(chunk.subarray(0, cutAfter - sent));
          upRes.destroy();
          // stall: keep the connection open and silent; else flush, then drop it mid-body
          if (cutStall) stalled.push(res);
          else res.socket?.end(() => res.socket?.destroy());
        });
        upRes.on('end', () => { if (!cut) res.end(); });
      });
      return;
    }
    forward(req, res, path);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  proxyHost = `127.0.0.1:${port}`;
  return {
    host: proxyHost,
    cutBlobs: (times, afterBytes, opts) => { cutTimes = times; cutAfter = afterBytes; cutRanged = opts?.ranged ?? false; cutStall = opts?.stall ?? false; },
    redirectBlobs: (on) => { redirect = on; },
    fail: (times, status = 503) => { failTimes = times; failStatus = status; },
    holdBlob: (held, until, timeoutMs = 10_000) => { hold = { held, until, timeoutMs, arrived: false }; },
    stats,
    stop: () => {
      for (const r of stalled) r.destroy();
      return closeServer(server);
    },
  };
}

function rewriteLocation(headers: IncomingMessage['headers'], target: string, proxy: string): IncomingMessage['headers'] {
  const loc = headers.location;
  if (typeof loc !== 'string') return headers;
  return { ...headers, location: loc.replace(`//${target}`, `//${proxy}`) };
}
