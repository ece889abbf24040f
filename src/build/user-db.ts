import { StrataError } from '../util/errors.js';
import type { FsView } from './fs-view.js';

/** Owner is a numeric uid:gid pair. */
export interface Owner {
  uid: number;
  gid: number;
}

/** UnknownUserError: `--chown`/USER names a user or group absent from the image. */
export class UnknownUserError extends StrataError {
  constructor(message: string) {
    super('UNKNOWN_USER', message);
  }
}

interface PasswdLine {
  name: string;
  uid: number;
  gid: number;
}

function parseColonFile(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

async function passwd(view: FsView): Promise<PasswdLine[]> {
  const b = await view.readSmallFile('etc/passwd');
  if (!b) return [];
  return parseColonFile(b.toString('utf8')).map((f) => ({ name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]) }));
}

async function groups(view: FsView): Promise<{ name: string; gid: number }[]> {
  const b = await view.readSmallFile('etc/group');
  if (!b) return [];
  return parseColonFile(b.toString('utf8')).map((f) => ({ name: f[0] ?? '', gid: Number(f[2]) }));
}

const NUMERIC = /^[0-9]+$/;

/**
 * resolveOwner turns `user[:group]` (names or ids) into numbers as BuildKit does for COPY --chown:
 * a named user brings its primary group from /etc/passwd, a numeric user alone means uid:uid,
 * `root` is 0 without looking. Names are looked up in the given filesystem's /etc/passwd and
 * /etc/group; an unknown name is an error (BuildKit silently uses 0; we would rather say so).
 */
export async function resolveOwner(spec: string, view: FsView): Promise<Owner> {
  const [userPart = '', groupPart] = spec.split(':', 2) as [string, string | undefined];
  let uid: number;
  let gid: number;
  if (NUMERIC.test(userPart) || userPart === 'root') {
    uid = userPart === 'root' ? 0 : Number(userPart);
    gid = uid;
  } else {
    const u = (await passwd(view)).find((p) => p.name === userPart);
    if (!u) throw new UnknownUserError(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = u.uid;
    gid = u.gid;
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (NUMERIC.test(groupPart) || groupPart === 'root') gid = groupPart === 'root' ? 0 : Number(groupPart);
    else {
      const g = (await groups(view)).find((x) => x.name === groupPart);
      if (!g) throw new UnknownUserError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  return { uid, gid };
}
