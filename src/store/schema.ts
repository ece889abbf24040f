import type Database from 'better-sqlite3';

/**
 * SCHEMA is meta.db's layout. Digests are stored as their full `sha256:<hex>` text, JSON records
 * as text. Times are milliseconds since the epoch unless named `created` in an image config.
 * Bump SCHEMA_VERSION and add a migration step when a table changes.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS images (
  id TEXT PRIMARY KEY,              -- config digest (the image ID)
  manifest_digest TEXT NOT NULL,
  manifest_media_type TEXT NOT NULL,
  created TEXT,                     -- the config's created time (RFC 3339), if any
  size INTEGER NOT NULL,            -- uncompressed bytes of all layers (Docker's Size)
  parent TEXT,                      -- the image this one was built or committed from, if known
  added INTEGER NOT NULL            -- when the store first recorded it (ms)
);
CREATE TABLE IF NOT EXISTS image_layers (
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  layer_digest TEXT NOT NULL,
  PRIMARY KEY (image_id, idx)
);
CREATE INDEX IF NOT EXISTS image_layers_by_layer ON image_layers(layer_digest);
CREATE TABLE IF NOT EXISTS layers (
  digest TEXT PRIMARY KEY,          -- compressed blob digest
  diff_id TEXT NOT NULL,
  size INTEGER NOT NULL,            -- compressed bytes
  uncompressed_size INTEGER NOT NULL,
  media_type TEXT NOT NULL,
  diff_verified INTEGER NOT NULL DEFAULT 1 -- 0: diff_id and uncompressed_size not yet checked (a pulled layer)
);
CREATE INDEX IF NOT EXISTS layers_by_diff_id ON layers(diff_id);
CREATE TABLE IF NOT EXISTS tags (
  ref TEXT PRIMARY KEY,             -- normalised reference: docker.io/library/busybox:latest or repo@sha256:...
  image_id TEXT NOT NULL REFERENCES images(id),
  updated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tags_by_image ON tags(image_id);
CREATE TABLE IF NOT EXISTS cache_records (
  key TEXT PRIMARY KEY,
  inputs TEXT NOT NULL,
  result TEXT NOT NULL,
  stage TEXT,
  step TEXT,
  size INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  last_used INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS checksum_cache (
  path TEXT PRIMARY KEY,
  dev INTEGER NOT NULL, ino INTEGER NOT NULL, size INTEGER NOT NULL, mtime_ns TEXT NOT NULL,
  mode INTEGER NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT NULL,
  checksum TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS containers (
  id TEXT PRIMARY KEY,
  name TEXT UNIQUE,
  image_id TEXT,
  created INTEGER NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  record TEXT NOT NULL
);
-- what a build needs of a layer's tree (directories, links, user files), by diffID, so that a base
-- layer is indexed once (when unpacked) instead of read at every build
CREATE TABLE IF NOT EXISTS layer_indexes (
  diff_id TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
-- a context tree's checksum under the fingerprint of its walk (src/context/checksum.ts), so that an
-- unchanged tree is answered by one row
CREATE TABLE IF NOT EXISTS tree_checksums (
  path TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  checksum TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS build_records (
  id TEXT PRIMARY KEY,
  started INTEGER NOT NULL,
  finished INTEGER,
  record TEXT NOT NULL
);
`;

export const SCHEMA_VERSION = 4;

/** migrate creates or upgrades the schema in one transaction (statements are IF NOT EXISTS; version 2 added layer_indexes, 3 layers.diff_verified, 4 tree_checksums). */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(SCHEMA);
    // version 3: layers.diff_verified (a version-1/2 table was created without it)
    const columns = db.prepare('PRAGMA table_info(layers)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'diff_verified')) db.exec('ALTER TABLE layers ADD COLUMN diff_verified INTEGER NOT NULL DEFAULT 1');
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
