/**
 * LayerEntry is one entry of a layer to write: a path in the image (no leading slash, no trailing
 * slash), its type and metadata, and where its content comes from. Filesystem steps (COPY, ADD,
 * WORKDIR) compute a list of these; writeLayerTar turns the sorted list into a deterministic tar.
 */
export interface LayerEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'char' | 'block';
  /** mode: permission bits including setuid/setgid/sticky (no type bits). */
  mode: number;
  uid: number;
  gid: number;
  /** mtime in whole seconds since the epoch. */
  mtime: number;
  /** linkname: the target of a symlink, or the image path of a hardlink's first entry. */
  linkname?: string;
  size?: number;
  devmajor?: number;
  devminor?: number;
  content?: EntryContent;
}

/** EntryContent: bytes read from a file at write time (streamed), or a small inline buffer. */
export type EntryContent = { kind: 'file'; abs: string } | { kind: 'bytes'; data: Buffer };

/** comparePaths orders entries the way the tar is written: by UTF-8 bytes of the path. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
