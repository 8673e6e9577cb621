import Foundation
import GRDB

/// The shard record and the row-level access `framecut merge` needs.
extension EmbeddingStore {
    /// The store's shard record, nil for a store of a whole collection (or one written before
    /// shards existed).
    public func shard() throws -> StoredShard? {
        try reading { db in
            guard try db.tableExists("shard"),
                  let row = try Row.fetchOne(db, sql: "SELECT shard_index, shard_count, rule, listed, listing_sha256 FROM shard WHERE id = 1") else { return nil }
            return StoredShard(index: row["shard_index"], count: row["shard_count"], rule: row["rule"], listed: row["listed"],
                               listingSHA256: row["listing_sha256"])
        }
    }

    static func write(_ shard: StoredShard, _ db: Database) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO shard (id, shard_index, shard_count, rule, listed, listing_sha256) VALUES (1, ?, ?, ?, ?, ?)
            """, arguments: [shard.index, shard.count, shard.rule, shard.listed, shard.listingSHA256])
    }

    /// Adds image rows to the images table, in one transaction; a path already present must have
    /// an identical row, else `StoreError.conflict` names the path and `source`.
    public func addImages(_ images: [StoredImage], source: String) throws {
        try writing { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO images (path, size, mtime, content_hash, width, height, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (path) DO NOTHING
                """)
            let select = try db.cachedStatement(sql: "SELECT path, size, mtime, content_hash, width, height, status, reason FROM images WHERE path = ?")
            for image in images {
                try insert.execute(arguments: [image.path, image.size, image.modificationTime, image.contentHash,
                                               image.width, image.height, image.status.rawValue, image.reason])
                if db.changesCount == 0 {
                    guard let row = try Row.fetchOne(select, arguments: [image.path]) else { continue }
                    let existing = try Self.image(row, path: url.path)
                    if existing != image {
                        throw StoreError.conflict(path: source, reason: "image \(image.path) is also in another store with other contents or status")
                    }
                }
            }
        }
    }

    /// Copies every embedding of `sourceModel` in `source` into this store under `model` (same
    /// key and width), validating each blob, in one transaction. A content hash already stored
    /// here must have a bit-identical vector, else `StoreError.conflict` names it.
    /// - Returns: rows added and rows that were already present (identical).
    public func copyEmbeddings(from source: EmbeddingStore, model sourceModel: StoredModel, into model: StoredModel) throws -> (added: Int, identical: Int) {
        guard sourceModel.width == model.width else {
            throw StoreError.modelMismatch(path: source.url.path, model: model.key.description, reason: "width \(sourceModel.width), not \(model.width)")
        }
        let width = model.width
        var scratch = [Float](repeating: 0, count: width)
        var added = 0, identical = 0
        try writing { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO embeddings (content_hash, model_id, vector) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
            let select = try db.cachedStatement(sql: "SELECT vector FROM embeddings WHERE content_hash = ? AND model_id = ?")
            try source.reading { sourceDB in
                let rows = try Row.fetchCursor(sourceDB, sql: "SELECT content_hash, vector FROM embeddings WHERE model_id = ? ORDER BY content_hash",
                                               arguments: [sourceModel.id])
                while let row = try rows.next() {
                    let hash: String = row["content_hash"]
                    let data: Data = row["vector"]
                    if let problem = scratch.withUnsafeMutableBufferPointer({ Self.decode(data, width: width, into: $0) }) {
                        throw StoreError.corruptEmbedding(path: source.url.path, contentHash: hash, model: sourceModel.key.description, reason: problem)
                    }
                    try insert.execute(arguments: [hash, model.id, data])
                    if db.changesCount == 1 {
                        added += 1
                    } else {
                        let existing = try Data.fetchOne(select, arguments: [hash, model.id])
                        guard existing == data else {
                            throw StoreError.conflict(path: source.url.path,
                                                      reason: "the embedding of image \(hash) for \(model.key.description) differs from another store's")
                        }
                        identical += 1
                    }
                }
            }
        }
        return (added, identical)
    }

    /// Writes everything to the main file and closes the store (the WAL is checkpointed and
    /// removed), so the file can be renamed; the store cannot be used afterwards.
    public func close() throws {
        do {
            _ = try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try pool.close()
        } catch let error as DatabaseError {
            throw StoreError.database(path: url.path, reason: error.message ?? "\(error)")
        }
    }
}
