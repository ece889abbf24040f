import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, StrataError } from '../util/errors.js';

/** MissingSshError: a `RUN --mount=type=ssh,required` names an id no `--ssh` gave. */
export class MissingSshError extends StrataError {
  constructor(id: string) {
    super('SSH_MISSING', `ssh agent ${id} is required but was not given (strata build --ssh ${id}=$SSH_AUTH_SOCK)`);
  }
}

/**
 * parseSshFlag reads `--ssh default`, `--ssh default=$SSH_AUTH_SOCK` or `--ssh ID=SOCKET` (the agent
 * socket; `default` alone takes $SSH_AUTH_SOCK, as buildx does).
 */
export function parseSshFlag(spec: string): [string, string] {
  const eq = spec.indexOf('=');
  const id = eq < 0 ? spec : spec.slice(0, eq);
  const path = eq < 0 ? process.env.SSH_AUTH_SOCK : spec.slice(eq + 1).split(',')[0];
  if (!id) throw new InvalidArgumentError(`invalid --ssh ${JSON.stringify(spec)}: an id is required`);
  if (!path) throw new InvalidArgumentError(`invalid --ssh ${JSON.stringify(spec)}: no socket given and SSH_AUTH_SOCK is not set`);
  return [id, path];
}

/**
 * forwardAgent listens on a fresh socket that relays every connection to the agent at `agent`,
 * owned by uid:gid with `mode`, as BuildKit's ssh forwarder does, so a step running as another
 * user can reach an agent only root could open. `close` stops it and removes the socket.
 */
export async function forwardAgent(agent: string, owner: { uid: number; gid: number; mode: number }): Promise<{ path: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-ssh-'));
  await chmod(dir, 0o711);
  const path = join(dir, 'agent.sock');
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(agent);
    open.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  if (process.getuid?.() === 0) await chown(path, owner.uid, owner.gid);
  await chmod(path, owner.mode);
  return {
    path,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
