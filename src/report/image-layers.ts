import type { Image } from '../image/image.js';
import { loadImage, resolveImage } from '../store/resolve-image.js';
import type { Store } from '../store/store.js';
import { analyzeLayers, type AnalyzeOptions } from './layer-analysis.js';
import type { ReportSubject } from './subject.js';
import type { LayerInput, LayerReport } from './types.js';

/**
 * layerInputsOf pairs an image's layers with its history: each layer takes the next history
 * entry that is not an `empty_layer` (as docker history and dive pair them); a layer with no
 * entry left is "(missing)"; an entry without created_by (an imported tarball) gives "".
 */
export function layerInputsOf(image: Image): LayerInput[] {
  const history = (image.config.history ?? []).filter((entry) => entry.empty_layer !== true);
  return image.layers.map((layer, i) => ({
    createdBy: history[i] ? (history[i].created_by ?? '') : '(missing)',
    compressedSize: layer.size,
    digest: layer.digest,
    diffID: layer.diffID,
    open: () => layer.uncompressed(),
  }));
}

/** StoredImageReport is a layer report with the image it describes. */
export interface StoredImageReport {
  subject: ReportSubject;
  report: LayerReport;
}

/** analyzeStoredImage resolves `refOrId` in the store (tag, ID or ID prefix) and analyzes its layers. */
export async function analyzeStoredImage(store: Store, refOrId: string, options: AnalyzeOptions = {}): Promise<StoredImageReport> {
  const record = resolveImage(store, refOrId);
  const image = await loadImage(store, record);
  const report = await analyzeLayers(layerInputsOf(image), options);
  const subject: ReportSubject = { name: refOrId, id: image.id };
  if (image.config.created !== undefined) subject.created = image.config.created;
  return { subject, report };
}
