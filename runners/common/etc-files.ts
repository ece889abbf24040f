import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** EtcFiles are host paths of the files bind-mounted over the rootfs's /etc/{hosts,resolv.conf,hostname}. */
export interface EtcFiles {
  hosts: string;
  resolvConf: string;
  hostname: string;
}

const FALLBACK_RESOLV = 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n';

/**
 * writeEtcFiles writes the three files into `dir` (a private temp dir of the run). They are mounted over the
 * rootfs rather than written into it, so a RUN step's layer never holds the build host's network setup.
 */
export async function writeEtcFiles(dir: string, hostname: string, network: 'host' | 'none', extraHosts: string[] = []): Promise<EtcFiles> {
  let resolv = FALLBACK_RESOLV;
  try {
    const host = await readFile('/etc/resolv.conf', 'utf8');
    // A loopback resolver (systemd-resolved's 127.0.0.53) is unreachable from a new network namespace.
    if (network === 'host' || !/^nameserver\s+127\./m.test(host)) resolv = host;
  } catch {
    // no host resolv.conf: keep the fallback
  }
  const hosts = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    `127.0.1.1\t${hostname}`,
    ...extraHosts.map((l) => l.replace(/\s+/g, '\t')),
    '',
  ].join('\n');
  const files: EtcFiles = { hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf'), hostname: join(dir, 'hostname') };
  await writeFile(files.hosts, hosts, { mode: 0o644 });
  await writeFile(files.resolvConf, resolv, { mode: 0o644 });
  await writeFile(files.hostname, hostname + '\n', { mode: 0o644 });
  return files;
}
