import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerCredentialStore } from '../../../src/registry/credentials.js';
import { dockerConfigPath } from '../../../src/registry/docker-config.js';

describe('DockerCredentialStore', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-creds-'));
    path = join(dir, 'config.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds config.json through DOCKER_CONFIG, else ~/.docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/x' })).toBe('/x/config.json');
    expect(dockerConfigPath({ HOME: '/home/u' })).toBe('/home/u/.docker/config.json');
  });

  it('writes auth entries docker reads, mode 0600, keeping other fields', async () => {
    writeFileSync(path, JSON.stringify({ psFormat: 'table {{.ID}}', auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('a:b').toString('base64') } } }));
    const store = new DockerCredentialStore(path);
    await store.put('localhost:5000', { username: 'u', password: 'p:w' });
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json.psFormat).toBe('table {{.ID}}');
    expect(json.auths['localhost:5000'].auth).toBe(Buffer.from('u:p:w').toString('base64'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await store.get('localhost:5000')).toEqual({ username: 'u', password: 'p:w' });
    expect(await store.get('index.docker.io')).toEqual({ username: 'a', password: 'b' });
    expect(await store.erase('localhost:5000')).toBe(true);
    expect(await store.erase('localhost:5000')).toBe(false);
    expect(await store.get('localhost:5000')).toBeUndefined();
  });

  it('matches keys written as URLs and reads identity tokens', async () => {
    writeFileSync(path, JSON.stringify({ auths: { 'https://reg.example.com': { auth: Buffer.from('me:').toString('base64'), identitytoken: 'refresh' } } }));
    expect(await new DockerCredentialStore(path).get('reg.example.com')).toEqual({ username: 'me', identityToken: 'refresh' });
  });

  it('uses a docker-credential helper when credHelpers names one', async () => {
    // A real helper executable speaking the protocol, backed by a file.
    const bin = join(dir, 'bin');
    const db = join(dir, 'helper-db.json');
    writeFileSync(db, '{}');
    mkdirSync(bin);
    const helper = join(bin, 'docker-credential-testhelper');
    writeFileSync(helper, `#!/usr/bin/env node
const fs = require('fs'); const db = ${JSON.stringify(db)};
let input = ''; process.stdin.on('data', d => input += d).on('end', () => {
  const data = JSON.parse(fs.readFileSync(db, 'utf8'));
  const action = process.argv[2];
  if (action === 'store') { const c = JSON.parse(input); data[c.ServerURL] = c; fs.writeFileSync(db, JSON.stringify(data)); }
  else if (action === 'get') { const c = data[input.trim()]; if (!c) { process.stdout.write('credentials not found in native keychain'); process.exit(1); } process.stdout.write(JSON.stringify(c)); }
  else if (action === 'erase') { delete data[input.trim()]; fs.writeFileSync(db, JSON.stringify(data)); }
});
`);
    chmodSync(helper, 0o755);
    writeFileSync(path, JSON.stringify({ credHelpers: { 'reg.example.com': 'testhelper' } }));
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      const store = new DockerCredentialStore(path);
      expect(await store.get('reg.example.com')).toBeUndefined();
      await store.put('reg.example.com', { username: 'u', password: 'secret' });
      expect(JSON.parse(readFileSync(db, 'utf8'))['reg.example.com'].Secret).toBe('secret');
      expect(readFileSync(path, 'utf8')).not.toContain('secret');
      expect(await store.get('reg.example.com')).toEqual({ username: 'u', password: 'secret' });
      await store.erase('reg.example.com');
      expect(await store.get('reg.example.com')).toBeUndefined();
    } finally {
      process.env.PATH = oldPath;
    }
  });
});
