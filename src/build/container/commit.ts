import { applyChanges } from '../../image/config-changes.js';
import { layerDescriptor } from '../../image/layer.js';
import { appendLayers, withContainerConfig, type ImageParts } from '../../image/mutate.js';
import { writeLayer } from '../../image/write-layer.js';
import { putImage } from '../../store/put-image.js';
import type { ImageRecord } from '../../store/records.js';
import { loadImage } from '../../store/resolve-image.js';
import type { Store } from '../../store/store.js';
import { NoSuchContainerError } from './errors.js';
import { findContainer, snapshotterOf } from './lifecycle.js';

/** CommitOptions are `commit`'s flags. */
export interface CommitOptions {
  message?: string;
  author?: string;
  /** changes are `-c` Dockerfile instructions applied to the new image's config. */
  changes?: string[];
  /** ref is the tag the new image gets (moved only once the image is whole). */
  ref?: string;
  now?: Date;
}

/**
 * commitContainer makes a new image as `docker commit` does: the container's snapshot diff (OCI
 * whiteouts for deletions) becomes one layer on top of its image's, the config is the container's
 * (its command, env, workdir, user) with `changes` applied, and a history line records the
 * command, the author and the message.
 */
export async function commitContainer(store: Store, arg: string, o: CommitOptions = {}): Promise<ImageRecord> {
  const state = findContainer(store, arg);
  const base = store.images.getImage(state.imageId);
  if (!base) throw new NoSuchContainerError(`${arg} (its image ${state.imageId} is gone)`);
  const img = await loadImage(store, base);
  const layer = await writeLayer(store, snapshotterOf(store, state).diff(state.snapshotKey));
  const created = (o.now ?? new Date()).toISOString();
  let parts: ImageParts = {
    config: img.config,
    layers: img.layers.map((l) => ({ descriptor: layerDescriptor(l), diffID: l.diffID, ...(l.uncompressedSize !== undefined ? { uncompressedSize: l.uncompressedSize } : {}) })),
  };
  parts = appendLayers(parts, {
    ...layer,
    history: {
      created,
      created_by: [...state.entrypoint, ...state.cmd].join(' '),
      ...(o.author ? { author: o.author } : {}),
      ...(o.message ? { comment: o.message } : {}),
    },
  });
  parts = withContainerConfig(parts, (c) => {
    const fromRun: typeof c = { ...c, Env: state.env, Cmd: state.cmd, WorkingDir: state.cwd === '/' && !c.WorkingDir ? '' : state.cwd };
    if (state.entrypoint.length > 0 || c.Entrypoint) fromRun.Entrypoint = state.entrypoint.length > 0 ? state.entrypoint : null;
    if (state.user) fromRun.User = state.user;
    if (!fromRun.WorkingDir) delete fromRun.WorkingDir;
    return applyChanges(fromRun, o.changes ?? []);
  });
  const config = { ...parts.config, created };
  if (o.author) config.author = o.author;
  else delete config.author;
  if (o.message) config.comment = o.message;
  else delete config.comment;
  return putImage(store, { config, layers: parts.layers, tags: o.ref ? [o.ref] : [], parent: img.id });
}
