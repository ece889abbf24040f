// Kept in step with runners/common/overlay-options.ts: runners import nothing of src, and src/snapshot
// imports nothing of runners, so this small helper lives on both sides.
/**
 * relativeOverlayOptions rewrites overlay mount options to paths relative to the deepest directory common to
 * all of them, returned as `cwd`. The kernel reads mount options from one page (4 KiB): with absolute
 * paths of ~45 bytes an image could not have more than ~90 layers; relative `<id>/fs` paths allow ~200.
 * The mount must then run with `cwd` as its working directory.
 */
export function relativeOverlayOptions(options: string[]): { cwd: string; options: string[] } {
  const pathKeys = ['lowerdir', 'upperdir', 'workdir'];
  const paths: string[] = [];
  for (const o of options) {
    const [k, v] = splitOption(o);
    if (pathKeys.includes(k) && v !== undefined) paths.push(...v.split(':'));
  }
  if (paths.length === 0 || paths.some((p) => !p.startsWith('/'))) return { cwd: '/', options };
  let common = paths[0]!.split('/').slice(0, -1);
  for (const p of paths) {
    const parts = p.split('/');
    let i = 0;
    while (i < common.length && i < parts.length - 1 && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  const cwd = common.join('/') || '/';
  const rel = (p: string) => (cwd === '/' ? p.slice(1) : p.slice(cwd.length + 1));
  return {
    cwd,
    options: options.map((o) => {
      const [k, v] = splitOption(o);
      return pathKeys.includes(k) && v !== undefined ? `${k}=${v.split(':').map(rel).join(':')}` : o;
    }),
  };
}

function splitOption(o: string): [string, string | undefined] {
  const i = o.indexOf('=');
  return i < 0 ? [o, undefined] : [o.slice(0, i), o.slice(i + 1)];
}
