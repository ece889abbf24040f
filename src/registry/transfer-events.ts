/**
 * Transfer events are what pull and push report while they work; the CLI renders them as Docker's
 * lines (plain output) or a live per-layer view (TTY). `id` is the 12-hex short digest of a blob.
 */
export type LayerStatus =
  | 'Waiting'
  | 'Pulling fs layer'
  | 'Already exists'
  | 'Downloading'
  | 'Verifying Checksum'
  | 'Download complete'
  | 'Pull complete'
  | 'Preparing'
  | 'Pushing'
  | 'Pushed'
  | 'Layer already exists'
  | 'Mounted from';

export interface LayerEvent {
  type: 'layer';
  id: string;
  status: LayerStatus;
  /** bytes so far and in all, while downloading or pushing. */
  current?: number;
  total?: number;
  /** for 'Mounted from': the repository it was mounted from. */
  from?: string;
}

export type TransferListener = (e: LayerEvent) => void;

export function shortDigest(d: string): string {
  return d.replace(/^sha256:/, '').slice(0, 12);
}
