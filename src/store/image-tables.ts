import type Database from 'better-sqlite3';
import type { Digest } from '../image/digest.js';
import type { ImageRecord, LayerRecord, TagRecord } from './records.js';

interface ImageRow {
  id: string;
  manifest_digest: string;
  manifest_media_type: string;
  created: string | null;
  size: number;
  parent: string | null;
  added: number;
}

/** ImageTables reads and writes the images, image_layers, layers and tags tables. */
export class ImageTables {
  constructor(private readonly db: Database.Database) {}

  /**
   * recordImage records an image, its layers and tags in one transaction. Tags move here, after
   * every blob they lead to was written, so a tag never points at a partial image.
   */
  recordImage(img: Omit<ImageRecord, 'added'>, layers: LayerRecord[], tags: string[] = []): ImageRecord {
    const now = Date.now();
    let added = now;
    this.db.transaction(() => {
      for (const l of layers) this.putLayer(l);
      const existing = this.db.prepare('SELECT added FROM images WHERE id = ?').get(img.id) as { added: number } | undefined;
      if (existing) {
        // The same config may come back with another manifest (other layer compression): the
        // newest manifest and its layers describe the image from now on.
        added = existing.added;
        this.db
          .prepare('UPDATE images SET manifest_digest = ?, manifest_media_type = ?, size = ?, parent = COALESCE(parent, ?) WHERE id = ?')
          .run(img.manifestDigest, img.manifestMediaType, img.size, img.parent ?? null, img.id);
        this.db.prepare('DELETE FROM image_layers WHERE image_id = ?').run(img.id);
        const ins = this.db.prepare('INSERT INTO image_layers (image_id, idx, layer_digest) VALUES (?, ?, ?)');
        img.layers.forEach((d, i) => ins.run(img.id, i, d));
      } else {
        this.db
          .prepare('INSERT INTO images (id, manifest_digest, manifest_media_type, created, size, parent, added) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(img.id, img.manifestDigest, img.manifestMediaType, img.created ?? null, img.size, img.parent ?? null, now);
        const ins = this.db.prepare('INSERT INTO image_layers (image_id, idx, layer_digest) VALUES (?, ?, ?)');
        img.layers.forEach((d, i) => ins.run(img.id, i, d));
      }
      for (const t of tags) this.setTag(t, img.id);
    }).immediate();
    return { ...img, added };
  }

  getImage(id: Digest): ImageRecord | undefined {
    const row = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return row ? this.toRecord(row) : undefined;
  }

  /** findImagesByPrefix finds images whose ID starts with `sha256:<prefix>` (at most `limit`). */
  findImagesByPrefix(hexPrefix: string, limit = 2): Digest[] {
    const rows = this.db
      .prepare("SELECT id FROM images WHERE substr(id, 1, ?) = ? LIMIT ?")
      .all(7 + hexPrefix.length, `sha256:${hexPrefix}`, limit) as { id: string }[];
    return rows.map((r) => r.id as Digest);
  }

  listImages(): ImageRecord[] {
    const rows = this.db.prepare('SELECT * FROM images ORDER BY added DESC, id').all() as ImageRow[];
    return rows.map((r) => this.toRecord(r));
  }

  /** deleteImage removes an image row (and its tags). Blobs stay until GC. */
  deleteImage(id: Digest): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM tags WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM image_layers WHERE image_id = ?').run(id);
      this.db.prepare('UPDATE images SET parent = NULL WHERE parent = ?').run(id);
      this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
    }).immediate();
  }

  childrenOf(id: Digest): Digest[] {
    return (this.db.prepare('SELECT id FROM images WHERE parent = ?').all(id) as { id: string }[]).map((r) => r.id as Digest);
  }

  putLayer(l: LayerRecord): void {
    this.db
      .prepare(
        'INSERT INTO layers (digest, diff_id, size, uncompressed_size, media_type, diff_verified) VALUES (?, ?, ?, ?, ?, ?) ' +
          // a layer first pulled (unverified) and then made or loaded here (verified) becomes verified
          'ON CONFLICT(digest) DO UPDATE SET uncompressed_size = excluded.uncompressed_size, diff_verified = 1 WHERE layers.diff_verified = 0 AND excluded.diff_verified = 1',
      )
      .run(l.digest, l.diffID, l.size, l.uncompressedSize, l.mediaType, l.diffVerified === false ? 0 : 1);
  }

  /**
   * markLayerVerified records that a pulled layer's tar was hashed (on its first unpack) and matched its
   * diffID, with its true uncompressed size, which also corrects the size of every image holding it.
   */
  markLayerVerified(digest: Digest, uncompressedSize: number): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE layers SET diff_verified = 1, uncompressed_size = ? WHERE digest = ?').run(uncompressedSize, digest);
      this.db
        .prepare(
          'UPDATE images SET size = (SELECT COALESCE(SUM(l.uncompressed_size), 0) FROM image_layers il JOIN layers l ON l.digest = il.layer_digest WHERE il.image_id = images.id) ' +
            'WHERE id IN (SELECT image_id FROM image_layers WHERE layer_digest = ?)',
        )
        .run(digest);
    }).immediate();
  }

  getLayer(digest: Digest): LayerRecord | undefined {
    const r = this.db.prepare('SELECT * FROM layers WHERE digest = ?').get(digest) as LayerRow | undefined;
    return r ? toLayer(r) : undefined;
  }

  /** getLayerByDiffID finds a stored compressed layer with this uncompressed digest. */
  getLayerByDiffID(diffID: Digest): LayerRecord | undefined {
    const r = this.db.prepare('SELECT * FROM layers WHERE diff_id = ? LIMIT 1').get(diffID) as LayerRow | undefined;
    return r ? toLayer(r) : undefined;
  }

  /** putLayerIndex keeps a layer's tree index (a JSON value the builder defines) by diffID. */
  putLayerIndex(diffID: Digest, body: unknown): void {
    this.db.prepare('INSERT OR REPLACE INTO layer_indexes (diff_id, body) VALUES (?, ?)').run(diffID, JSON.stringify(body));
  }

  getLayerIndex(diffID: Digest): unknown {
    const r = this.db.prepare('SELECT body FROM layer_indexes WHERE diff_id = ?').get(diffID) as { body: string } | undefined;
    return r ? (JSON.parse(r.body) as unknown) : undefined;
  }

  listLayers(): LayerRecord[] {
    return (this.db.prepare('SELECT * FROM layers').all() as LayerRow[]).map(toLayer);
  }

  deleteLayer(digest: Digest): void {
    const diffID = this.getLayer(digest)?.diffID;
    this.db.prepare('DELETE FROM layers WHERE digest = ?').run(digest);
    // the index goes with the last compressed form of its layer
    if (diffID !== undefined) this.db.prepare('DELETE FROM layer_indexes WHERE diff_id = ? AND NOT EXISTS (SELECT 1 FROM layers WHERE diff_id = ?)').run(diffID, diffID);
  }

  /** setTag points a normalised reference at an image, replacing what it pointed at. */
  setTag(ref: string, imageId: Digest): void {
    this.db
      .prepare('INSERT INTO tags (ref, image_id, updated) VALUES (?, ?, ?) ON CONFLICT(ref) DO UPDATE SET image_id = excluded.image_id, updated = excluded.updated')
      .run(ref, imageId, Date.now());
  }

  /** removeTag removes a reference; it returns false when there was none. */
  removeTag(ref: string): boolean {
    return this.db.prepare('DELETE FROM tags WHERE ref = ?').run(ref).changes > 0;
  }

  getTag(ref: string): TagRecord | undefined {
    const r = this.db.prepare('SELECT * FROM tags WHERE ref = ?').get(ref) as { ref: string; image_id: string; updated: number } | undefined;
    return r ? { ref: r.ref, imageId: r.image_id as Digest, updated: r.updated } : undefined;
  }

  listTags(): TagRecord[] {
    const rows = this.db.prepare('SELECT * FROM tags ORDER BY ref').all() as { ref: string; image_id: string; updated: number }[];
    return rows.map((r) => ({ ref: r.ref, imageId: r.image_id as Digest, updated: r.updated }));
  }

  tagsOf(imageId: Digest): string[] {
    return (this.db.prepare('SELECT ref FROM tags WHERE image_id = ? ORDER BY ref').all(imageId) as { ref: string }[]).map((r) => r.ref);
  }

  private toRecord(row: ImageRow): ImageRecord {
    const layers = (this.db.prepare('SELECT layer_digest FROM image_layers WHERE image_id = ? ORDER BY idx').all(row.id) as { layer_digest: string }[]).map(
      (r) => r.layer_digest as Digest,
    );
    return {
      id: row.id as Digest,
      manifestDigest: row.manifest_digest as Digest,
      manifestMediaType: row.manifest_media_type,
      ...(row.created !== null ? { created: row.created } : {}),
      size: row.size,
      ...(row.parent !== null ? { parent: row.parent as Digest } : {}),
      added: row.added,
      layers,
    };
  }
}

interface LayerRow {
  digest: string;
  diff_id: string;
  size: number;
  uncompressed_size: number;
  media_type: string;
  diff_verified: number;
}

function toLayer(r: LayerRow): LayerRecord {
  const rec: LayerRecord = { digest: r.digest as Digest, diffID: r.diff_id as Digest, size: r.size, uncompressedSize: r.uncompressed_size, mediaType: r.media_type };
  if (r.diff_verified === 0) rec.diffVerified = false;
  return rec;
}
