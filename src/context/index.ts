export { openContext, type BuildContext, type ContextRequest } from './open-context.js';
export { ignoreMatcher, loadIgnoreFile, noIgnore, parseIgnoreFile, type IgnoreMatcher } from './ignore.js';
export { walk, byName, type WalkEntry } from './walk.js';
export { checksumTree, contentDigest, fileType, type PathChecksum } from './checksum.js';
export { memoryChecksumCache, statKey, type CacheItem, type ChecksumCache } from './checksum-cache.js';
export { cleanRel, resolveInRoot } from './scoped-path.js';
export { ContextError, PathEscapeError } from './errors.js';
export { glob, hasWildcards, segmentRegExp, type TreeLister } from './glob.js';
export { dirLister } from './lister.js';
