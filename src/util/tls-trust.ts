import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The variable dist/strata (the command) moves NODE_EXTRA_CA_CERTS to before it starts Node: Node 20
 * parses its whole root store at start-up when NODE_EXTRA_CA_CERTS is set, which cost 75 ms of every
 * command here, TLS or not. strata trusts the file itself, and only once a TLS connection is made.
 */
export const EXTRA_CA_ENV = 'STRATA_EXTRA_CA_CERTS';

/** TlsTrust is what a TLS connection of strata's trusts: Node's bundled roots plus the extra file's. */
export interface TlsTrust {
  ca: string[];
}

let memo: { env: string; trust: TlsTrust | undefined } | undefined;

/**
 * extraTlsTrust returns the certificate authorities to hand a TLS client when the command was
 * started with NODE_EXTRA_CA_CERTS (moved to STRATA_EXTRA_CA_CERTS), or undefined when Node's own
 * default applies. As Node does with that variable, a file that cannot be read is reported once on
 * stderr and the bundled roots are used alone.
 */
export function extraTlsTrust(env: NodeJS.ProcessEnv = process.env): TlsTrust | undefined {
  const file = env[EXTRA_CA_ENV] ?? '';
  if (file === '') return undefined;
  if (memo?.env === file) return memo.trust;
  let trust: TlsTrust | undefined;
  try {
    // node:tls is loaded here, not at start-up: most commands open no TLS connection
    const { rootCertificates } = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
    trust = { ca: [...rootCertificates, readFileSync(file, 'utf8')] };
  } catch (err) {
    process.stderr.write(`warning: ignoring extra certificates from ${file} (NODE_EXTRA_CA_CERTS): ${(err as Error).message}\n`);
    trust = undefined;
  }
  memo = { env: file, trust };
  return trust;
}
