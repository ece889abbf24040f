import { sha256Digest, type Digest } from '../image/digest.js';
import { canonicalJson } from './canonical-json.js';

/**
 * CacheKeyInputs is everything that decides the result of one step, and nothing else. Its sha256
 * (over canonicalJson) is the step's cache key. It is stored with the step's result, so a later
 * miss is explained by diffing two of these field by field:
 *   parent       the key of the step before (FROM: null); a changed parent means "parent rebuilt"
 *   base         FROM only: the image reference and the digest it resolved to, or 'scratch'
 *   instruction  the instruction text after expansion (`COPY --chown=app:app src/ ./src/`)
 *   op           the typed operation after expansion (flags, resolved destination, workdir, user)
 *   env          the environment the step sees (RUN: ENV + ARGs in scope; COPY/ADD: [])
 *   args         build args in scope with their values (RUN only; ARGs are not in env for COPY)
 *   sources      source path → content checksum (COPY/ADD from the context; COPY --from: the
 *                source stage's final key; ADD URL: the checksum given or fetched)
 *   platform     `linux/amd64`
 */
export interface CacheKeyInputs {
  v: 1;
  parent: Digest | null;
  base?: { ref: string; digest: string };
  instruction: string;
  op: Record<string, unknown>;
  env: string[];
  args: Record<string, string>;
  sources: Record<string, string>;
  platform: string;
}

/**
 * CacheKeyDetail is kept beside the inputs but not hashed: it helps a person (and issue 7's
 * explainer) without deciding anything. `files` lists per-file checksums under each source
 * (collapsed to directories when a source holds very many files).
 */
export interface CacheKeyDetail {
  stage: string;
  /** index is the step's position in its stage (0 = FROM). */
  index: number;
  /** line is the instruction's first line in the Dockerfile (1-based). */
  line: number;
  files: Record<string, Record<string, string>>;
  /** origin names the Dockerfile a step came from (`<context root>::<file>`), to find its earlier records. */
  origin?: string;
  /** base is the stage's FROM (ref and resolved digest), so a later miss can say the base moved. */
  base?: { ref: string; digest: string };
}

/** CacheKeyRecord is what is stored with a step's result: the inputs, the detail and the key. */
export interface CacheKeyRecord {
  key: Digest;
  inputs: CacheKeyInputs;
  detail: CacheKeyDetail;
}

/** cacheKey is sha256 over the canonical JSON of the inputs. */
export function cacheKey(inputs: CacheKeyInputs): Digest {
  return sha256Digest(canonicalJson(inputs));
}

/** MAX_RECORDED_FILES bounds the per-file detail of one source; beyond it, directories stand in. */
export const MAX_RECORDED_FILES = 2000;

/**
 * summarizeFiles keeps per-file checksums when there are few, and otherwise folds files into their
 * directory at the deepest level that fits MAX_RECORDED_FILES (a folded directory's value is a
 * digest of its files' checksums, so "data/pkg-007 changed" is still explainable).
 */
export function summarizeFiles(files: Map<string, string>): Record<string, string> {
  if (files.size <= MAX_RECORDED_FILES) return Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  let maxDepth = 0;
  for (const p of files.keys()) maxDepth = Math.max(maxDepth, p.split('/').length);
  for (let depth = maxDepth - 1; depth >= 1; depth--) {
    const groups = new Map<string, string[]>();
    for (const [p, d] of files) {
      const parts = p.split('/');
      const k = parts.length > depth ? `${parts.slice(0, depth).join('/')}/` : p;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(`${p}\0${d}`);
    }
    if (groups.size <= MAX_RECORDED_FILES || depth === 1) {
      const out: Record<string, string> = {};
      for (const k of [...groups.keys()].sort()) out[k] = sha256Digest(groups.get(k)!.sort().join('\n'));
      return out;
    }
  }
  return {};
}
