import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { noIgnore, type IgnoreMatcher } from '../context/ignore.js';
import type { StepOp } from '../plan/types.js';
import { StrataError } from '../util/errors.js';
import { planCopy, type CopySource } from './copy-plan.js';
import { emptyView, type FsView } from './fs-view.js';
import { compactFromEntries, type CompactIndex } from './layer-index-view.js';
import { writeLayerTar } from './tar-writer.js';
import { resolveOwner } from './user-db.js';
import { addUrlSource, archiveProbe, writeLayerTarWithArchives } from './add-sources.js';

type CopyOp = Extract<StepOp, { kind: 'copy' }>;

/** CopyInputs are the filesystems a COPY/ADD reads: its source, with ignore rules, and its parent. */
export interface CopyInputs {
  source: FsView;
  ignore: IgnoreMatcher;
  parent: () => Promise<FsView>;
  now: number;
  epoch?: number;
  tmpDir: string;
}

/** runCopy produces the layer tar of a COPY/ADD and the compact index of what it wrote. */
export async function runCopy(op: CopyOp, io: CopyInputs): Promise<{ tar: Readable; compact: CompactIndex; cleanup: () => Promise<void> }> {
  const parent = op.link ? emptyView : await io.parent();
  // --chown names are looked up in the image being built (BuildKit reads the parent's /etc/passwd).
  const owner = op.chown !== undefined ? await resolveOwner(op.chown, op.link ? await io.parent() : parent) : undefined;
  const sources: CopySource[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let source = io.source;
  let ignore = io.ignore;
  for (const s of op.sources) {
    if (s.kind === 'url') {
      const fetched = await addUrlSource(s.url, op.checksum, io.tmpDir);
      cleanups.push(fetched.cleanup);
      // A URL source is read from its own small view; several URLs in one ADD are rare and refused.
      if (op.sources.length > 1) throw new StrataError('ADD_URL_MULTI', 'ADD with a URL takes exactly one source');
      source = fetched.view;
      ignore = noIgnore;
      sources.push({ kind: 'path', path: fetched.name });
    } else if (s.kind === 'heredoc') sources.push({ kind: 'heredoc', name: s.name, content: s.content });
    else sources.push({ kind: 'path', path: s.path });
  }
  const isUrl = op.sources.some((s) => s.kind === 'url');
  const plan = await planCopy(
    {
      sources,
      dest: op.dest,
      workdir: op.workdir,
      ...(owner ? { owner } : {}),
      ...(op.chmod !== undefined ? { chmod: op.chmod } : {}),
      parents: op.parents,
      exclude: op.exclude,
      link: op.link,
      preserveOwner: op.from.kind !== 'context' && !isUrl,
      now: io.epoch !== undefined ? Math.min(io.now, io.epoch) : io.now,
    },
    source,
    ignore,
    parent,
    op.isAdd && !isUrl && op.unpack !== false ? archiveProbe : undefined,
  );
  const compact = compactFromEntries(plan.entries, (p) => {
    const e = plan.entries.find((x) => x.path === p);
    if (!e?.content) return undefined;
    return e.content.kind === 'bytes' ? e.content.data : readFileSync(e.content.abs);
  });
  const tar = plan.archives.length > 0 ? writeLayerTarWithArchives(plan.entries, plan.archives, io.epoch) : writeLayerTar(plan.entries, io.epoch !== undefined ? { epoch: io.epoch } : {});
  return {
    tar,
    compact,
    cleanup: async () => {
      for (const c of cleanups) await c();
    },
  };
}
