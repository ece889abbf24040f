import { StrataError } from '../util/errors.js';

/** LayerUnreadableError: a layer's tar could not be read to its end (truncated, corrupt, not a tar). */
export class LayerUnreadableError extends StrataError {
  constructor(layer: string, detail: string, options?: { cause?: unknown }) {
    super('LAYER_UNREADABLE', `${layer}: ${detail}`, options);
  }
}

/** LayerEntryError: a tar entry's name leaves the layer's root (`../x`) or is otherwise unusable. */
export class LayerEntryError extends StrataError {
  constructor(layer: string, entry: string, detail: string) {
    super('LAYER_BAD_ENTRY', `${layer}: tar entry ${JSON.stringify(entry)} ${detail}`);
  }
}

/** ReportRuleError: a --ci threshold given on the command line is not a number or a size. */
export class ReportRuleError extends StrataError {
  constructor(message: string) {
    super('REPORT_BAD_RULE', message);
  }
}
