import { spawn } from 'node:child_process';
import { CredentialsError } from './errors.js';

/** HelperCredentials is what a `docker-credential-*` helper stores: Username and Secret. */
export interface HelperCredentials {
  ServerURL?: string;
  Username: string;
  Secret: string;
}

const NOT_FOUND = /credentials not found/i;

/**
 * runHelper runs `docker-credential-<name> <action>` with input on stdin (the credential-helper
 * protocol of docker/docker-credential-helpers). Its output may hold a secret: it is never logged,
 * and errors carry only the helper's first stderr line.
 */
async function runHelper(name: string, action: 'get' | 'store' | 'erase', input: string): Promise<string> {
  const bin = `docker-credential-${name}`;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new CredentialsError(`credential helper ${bin}: ${e.message}`, { cause: e })));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) return resolve(stdout);
      const msg = (Buffer.concat(err).toString('utf8') || stdout).split('\n')[0]!.trim();
      reject(new CredentialsError(`credential helper ${bin} ${action}: ${msg || `exit ${code}`}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** helperGet returns the helper's credentials for serverURL, or undefined when it has none. */
export async function helperGet(name: string, serverURL: string): Promise<HelperCredentials | undefined> {
  let out: string;
  try {
    out = await runHelper(name, 'get', serverURL);
  } catch (err) {
    if (err instanceof CredentialsError && NOT_FOUND.test(err.message)) return undefined;
    throw err;
  }
  try {
    const parsed = JSON.parse(out) as HelperCredentials;
    if (!parsed.Secret && !parsed.Username) return undefined;
    return parsed;
  } catch {
    throw new CredentialsError(`credential helper docker-credential-${name} get: output is not JSON`);
  }
}

export async function helperStore(name: string, creds: HelperCredentials): Promise<void> {
  await runHelper(name, 'store', JSON.stringify(creds));
}

export async function helperErase(name: string, serverURL: string): Promise<void> {
  try {
    await runHelper(name, 'erase', serverURL);
  } catch (err) {
    if (err instanceof CredentialsError && NOT_FOUND.test(err.message)) return;
    throw err;
  }
}
