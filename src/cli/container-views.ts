import type { ContainerState } from '../build/container/types.js';
import { humanDuration, timeAgo } from './format/human.js';

/** CONTAINER_HEADERS are docker's column titles for `ps`. */
export const CONTAINER_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Status: 'STATUS',
  Ports: 'PORTS',
  Names: 'NAMES',
  State: 'STATE',
};

/** PS_TABLE is `ps`'s default table template. */
export const PS_TABLE = '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** ContainerRow is one `ps` row, with docker's field names for `--format`. */
export interface ContainerRow {
  ID: string;
  Image: string;
  Command: string;
  CreatedAt: string;
  RunningFor: string;
  Status: string;
  Ports: string;
  Names: string;
  State: string;
}

/** containerRow formats a container as `docker ps` does (ids and commands truncated unless noTrunc). */
export function containerRow(c: ContainerState, noTrunc: boolean, now = Date.now()): ContainerRow {
  const command = [...c.entrypoint, ...c.cmd].join(' ');
  return {
    ID: noTrunc ? c.id : c.id.slice(0, 12),
    Image: c.imageRef,
    Command: JSON.stringify(noTrunc ? command : ellipsis(command, 20)),
    CreatedAt: new Date(c.created).toISOString().slice(0, 19).replace('T', ' ') + ' +0000 UTC',
    RunningFor: timeAgo(c.created, now),
    Status: statusText(c, now),
    Ports: '',
    Names: c.name,
    State: c.status,
  };
}

/** statusText is the STATUS column: `Created`, `Up 5 seconds`, `Exited (0) 5 seconds ago`. */
export function statusText(c: ContainerState, now = Date.now()): string {
  if (c.status === 'created') return 'Created';
  if (c.status === 'running') return `Up ${humanDuration(now - (c.startedAt ?? c.created))}`;
  return `Exited (${c.exitCode ?? 255}) ${timeAgo(c.finishedAt ?? c.created, now)}`;
}

function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}
