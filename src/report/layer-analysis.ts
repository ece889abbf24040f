import { EfficiencyTally, userWastedPercent } from './efficiency.js';
import { LayerChanges } from './layer-changes.js';
import { MergedTree, subtreeTotals } from './merged-tree.js';
import { readLayerEntries } from './tar-entries.js';
import type { FileChange, LayerInput, LayerReport, LayerSummary } from './types.js';

/** AnalyzeOptions tunes a layer analysis. */
export interface AnalyzeOptions {
  /** biggestFiles: how many of each layer's largest files to list (default 10). */
  biggestFiles?: number;
}

/**
 * analyzeLayers reads each layer's uncompressed tar once, bottom layer first, and reports per
 * layer what it added, modified and removed, and for the image its size, wasted bytes and
 * efficiency (dive's definitions, see efficiency.ts). Memory grows with the number of paths,
 * never with file contents.
 */
export async function analyzeLayers(layers: readonly LayerInput[], options: AnalyzeOptions = {}): Promise<LayerReport> {
  const biggest = options.biggestFiles ?? 10;
  const merged = new MergedTree();
  const tally = new EfficiencyTally();
  const summaries: LayerSummary[] = [];
  const hiddenByLayer: number[] = [];
  for (const [index, layer] of layers.entries()) {
    const changes = new LayerChanges();
    const label = `layer ${index + 1}${layer.digest ? ` (${layer.digest.slice(0, 19)})` : ''}`;
    await readLayerEntries(await layer.open(), label, (entry) => changes.add(entry));
    tallyLayer(changes, merged, tally);
    summaries.push(summarize(index, layer, changes, applyLayer(index, changes, merged, hiddenByLayer), biggest));
  }
  for (const summary of summaries) summary.hiddenLaterBytes = hiddenByLayer[summary.index] ?? 0;
  const { efficiency, wastedBytes: diveWastedBytes, inefficiencies } = tally.result();
  const sizeBytes = summaries.reduce((sum, layer) => sum + layer.sizeBytes, 0);
  const userSizeBytes = sizeBytes - (summaries[0]?.sizeBytes ?? 0);
  return {
    sizeBytes,
    userSizeBytes,
    wastedBytes: summaries.reduce((sum, layer) => sum + layer.removedBytes, 0),
    diveWastedBytes,
    userWastedPercent: userWastedPercent(diveWastedBytes, userSizeBytes),
    efficiency,
    compressedSizeBytes: summaries.reduce((sum, layer) => sum + layer.compressedSize, 0),
    layers: summaries,
    inefficiencies,
  };
}

/** tallyLayer records this layer's leaves against the layers below it (before it is applied). */
function tallyLayer(changes: LayerChanges, lower: MergedTree, tally: EfficiencyTally): void {
  for (const leaf of changes.leafObjects()) tally.record(`/${leaf.path}`, leaf.size);
  for (const path of changes.whiteouts) {
    const previous = lower.get(path);
    tally.record(`/${path}`, previous && previous.type === 'dir' ? subtreeTotals(previous).allBytes : 0);
  }
}

interface Applied {
  changes: FileChange[];
  added: number;
  modified: number;
  removed: number;
  removedBytes: number;
}

/** applyLayer stacks the layer on the merged tree: deletions first (they act on lower layers), then writes. */
function applyLayer(index: number, changes: LayerChanges, merged: MergedTree, hiddenByLayer: number[]): Applied {
  const out: Applied = { changes: [], added: 0, modified: 0, removed: 0, removedBytes: 0 };
  for (const dir of changes.opaques) {
    for (const [name, node] of merged.clearChildren(dir)) {
      const totals = subtreeTotals(node, hiddenByLayer);
      out.removed += totals.files;
      out.removedBytes += totals.fileBytes;
      out.changes.push({ path: dir === '' ? name : `${dir}/${name}`, change: 'removed', type: node.type, sizeBytes: totals.fileBytes });
    }
  }
  for (const path of changes.whiteouts) {
    const node = merged.remove(path);
    const totals = node ? subtreeTotals(node, hiddenByLayer) : { files: 0, fileBytes: 0 };
    out.removed += totals.files;
    out.removedBytes += totals.fileBytes;
    out.changes.push({ path, change: 'removed', type: node?.type ?? 'other', sizeBytes: totals.fileBytes });
  }
  for (const path of [...changes.objects.keys()].sort()) {
    const object = changes.objects.get(path) as { type: FileChange['type']; size: number };
    const existing = merged.get(path);
    if (existing && !(existing.type === 'dir' && object.type === 'dir')) {
      // an overwrite hides the lower copy (a whole subtree when a file replaces a directory)
      out.removedBytes += subtreeTotals(existing, hiddenByLayer).fileBytes;
    }
    if (object.type !== 'dir') {
      if (existing) out.modified += 1;
      else out.added += 1;
    }
    out.changes.push({ path, change: existing ? 'modified' : 'added', type: object.type, sizeBytes: object.size });
    merged.put(path, object.type, object.size, index);
  }
  out.changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

function summarize(index: number, layer: LayerInput, changes: LayerChanges, applied: Applied, biggest: number): LayerSummary {
  const biggestFiles = applied.changes
    .filter((change) => change.type === 'file' && change.change !== 'removed')
    .sort((a, b) => b.sizeBytes - a.sizeBytes || (a.path < b.path ? -1 : 1))
    .slice(0, biggest);
  const summary: LayerSummary = {
    index,
    createdBy: layer.createdBy,
    compressedSize: layer.compressedSize,
    sizeBytes: changes.sizeBytes,
    filesAdded: applied.added,
    filesModified: applied.modified,
    filesRemoved: applied.removed,
    removedBytes: applied.removedBytes,
    hiddenLaterBytes: 0,
    biggestFiles,
    changes: applied.changes,
  };
  if (layer.digest !== undefined) summary.digest = layer.digest;
  if (layer.diffID !== undefined) summary.diffID = layer.diffID;
  return summary;
}
