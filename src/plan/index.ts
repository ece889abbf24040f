export { planBuild, normalizeWorkdir, type PlanRequest } from './planner.js';
export { cacheKey, summarizeFiles, MAX_RECORDED_FILES, type CacheKeyInputs, type CacheKeyDetail, type CacheKeyRecord } from './cache-key.js';
export { canonicalJson } from './canonical-json.js';
export { PlanError, sourceFrame } from './errors.js';
export { hostPlatform, formatPlatform, parsePlatform, samePlatform, type Platform } from './platform.js';
export type * from './types.js';
