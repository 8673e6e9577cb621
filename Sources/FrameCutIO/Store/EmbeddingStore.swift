import Foundation
import GRDB

/// The embedding store: one SQLite file per image collection (through GRDB), in WAL mode, with
/// a versioned schema.
///
/// Tables:
/// - `images`: one row per file of the collection (relative path, size, modification time,
///   SHA-256 of the content, width, height, status, reason).
/// - `models`: one row per (model name, embedding variant, weights SHA-256), with the
///   preprocessing recipe and the embedding width.
/// - `embeddings`: (content hash, model) -> float32 little-endian blob of `width` values.
/// - `shard`: at most one row, in a store written by `embed --shard i/N` (see ``StoredShard``).
///
/// Embeddings are keyed by content, not by path: a renamed or moved file is not embedded again,
/// a changed file is. Every write is one transaction, so a killed process loses at most the
/// batch it was writing. Every blob is checked when read (length, finite values); a corrupt
/// row is an error naming it, never used.
public final class EmbeddingStore: Sendable {
    /// The schema version this FrameCut writes (the number of migrations).
    public static let schemaVersion = 2

    public let url: URL
    let pool: DatabasePool

    /// How a store is opened.
    public enum Access: Sendable {
        /// Created when missing; its schema is brought up to date.
        case readWrite
        /// Must exist with an up-to-date schema; nothing is created or written (reports,
        /// exports, and anyone watching a store that another process writes).
        case readOnly
    }

    /// Opens the store at `url`: with `.readWrite` (the default) creating it when missing and
    /// bringing its schema up to date; with `.readOnly` refusing a missing or outdated store.
    public init(url: URL, access: Access = .readWrite) throws {
        self.url = url
        let path = url.path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "framecut-store"
        configuration.readonly = access == .readOnly
        if access == .readWrite {
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        do {
            if access == .readOnly {
                guard FileManager.default.fileExists(atPath: path) else { throw StoreError.database(path: path, reason: "no such store") }
            } else {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            }
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw Self.map(error, path: path)
        } catch {
            throw StoreError.database(path: path, reason: "cannot open: \(error.localizedDescription)")
        }
        let migrator = Self.migrator
        do {
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) { throw StoreError.newerSchema(path: path) }
            let tables = try pool.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'") }
            let known: Set<String> = ["images", "models", "embeddings", "shard"]
            if let foreign = tables.first(where: { !known.contains($0) }) {
                throw StoreError.notAStore(path: path, reason: "it has a table '\(foreign)'")
            }
            if access == .readOnly {
                // v1 holds everything a reader needs; a store without v2 simply has no shard record.
                guard try pool.read({ try migrator.appliedIdentifiers($0).contains("v1") }) else {
                    throw StoreError.notAStore(path: path, reason: "its schema is incomplete or older than this FrameCut's; run embed or run on it once to upgrade")
                }
            } else {
                try migrator.migrate(pool)
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw Self.map(error, path: path)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE images (
                    path TEXT PRIMARY KEY NOT NULL,
                    size INTEGER NOT NULL,
                    mtime REAL NOT NULL,
                    content_hash TEXT NOT NULL,
                    width INTEGER,
                    height INTEGER,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'ok', 'warning', 'failed')),
                    reason TEXT
                );
                CREATE INDEX images_content_hash ON images(content_hash);
                CREATE TABLE models (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    variant TEXT NOT NULL,
                    weights_sha256 TEXT NOT NULL,
                    preprocessing TEXT NOT NULL,
                    width INTEGER NOT NULL CHECK (width > 0),
                    UNIQUE (name, variant, weights_sha256)
                );
                CREATE TABLE embeddings (
                    content_hash TEXT NOT NULL,
                    model_id INTEGER NOT NULL REFERENCES models(id),
                    vector BLOB NOT NULL,
                    PRIMARY KEY (content_hash, model_id)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-shard") { db in
            try db.execute(sql: """
                CREATE TABLE shard (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    shard_index INTEGER NOT NULL,
                    shard_count INTEGER NOT NULL,
                    rule TEXT NOT NULL,
                    listed INTEGER NOT NULL,
                    listing_sha256 TEXT NOT NULL,
                    CHECK (shard_count >= 1 AND shard_index >= 0 AND shard_index < shard_count)
                );
                """)
        }
        return migrator
    }

    private static func map(_ error: DatabaseError, path: String) -> StoreError {
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notAStore(path: path, reason: error.message ?? "not an SQLite database")
        default:
            return .database(path: path, reason: error.message ?? "\(error)")
        }
    }

    func reading<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch let error as DatabaseError { throw Self.map(error, path: url.path) }
    }

    func writing<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch let error as DatabaseError { throw Self.map(error, path: url.path) }
    }

    // MARK: images

    /// Every image row, by relative path.
    public func images() throws -> [String: StoredImage] {
        try reading { db in
            var result: [String: StoredImage] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT path, size, mtime, content_hash, width, height, status, reason FROM images")
            while let row = try rows.next() {
                let image = try Self.image(row, path: url.path)
                result[image.path] = image
            }
            return result
        }
    }

    static func image(_ row: Row, path: String) throws -> StoredImage {
        let statusText: String = row["status"]
        guard let status = StoredImage.Status(rawValue: statusText) else {
            throw StoreError.notAStore(path: path, reason: "image \(row["path"] as String? ?? "?") has status '\(statusText)'")
        }
        return StoredImage(path: row["path"], size: row["size"], modificationTime: row["mtime"], contentHash: row["content_hash"],
                           width: row["width"], height: row["height"], status: status, reason: row["reason"])
    }

    /// Makes the images table exactly `images` (rows of paths not listed are deleted), in one
    /// transaction; with `shard`, the store's shard record is written in the same transaction.
    public func replaceImages(_ images: [StoredImage], shard: StoredShard? = nil) throws {
        try writing { db in
            if let shard { try Self.write(shard, db) }
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS keep (path TEXT PRIMARY KEY)")
            try db.execute(sql: "DELETE FROM keep")
            let keep = try db.cachedStatement(sql: "INSERT INTO keep (path) VALUES (?)")
            let upsert = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO images (path, size, mtime, content_hash, width, height, status, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for image in images {
                try keep.execute(arguments: [image.path])
                try upsert.execute(arguments: [image.path, image.size, image.modificationTime, image.contentHash,
                                               image.width, image.height, image.status.rawValue, image.reason])
            }
            try db.execute(sql: "DELETE FROM images WHERE path NOT IN (SELECT path FROM keep)")
            try db.execute(sql: "DELETE FROM keep")
        }
    }

    // MARK: models

    /// Every model row.
    public func models() throws -> [StoredModel] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT id, name, variant, weights_sha256, preprocessing, width FROM models ORDER BY id").map {
                StoredModel(id: $0["id"], key: StoredModelKey(name: $0["name"], variant: $0["variant"], weightsSHA256: $0["weights_sha256"]),
                            preprocessing: $0["preprocessing"], width: $0["width"])
            }
        }
    }

    /// The model row for `key`, created when missing. A row with the same key but another
    /// preprocessing or width is an error (those embeddings would not be comparable).
    public func model(_ key: StoredModelKey, preprocessing: String, width: Int) throws -> StoredModel {
        guard width > 0 else { throw StoreError.modelMismatch(path: url.path, model: key.description, reason: "width \(width)") }
        return try writing { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, preprocessing, width FROM models WHERE name = ? AND variant = ? AND weights_sha256 = ?",
                                          arguments: [key.name, key.variant, key.weightsSHA256]) {
                let storedWidth: Int = row["width"], storedPreprocessing: String = row["preprocessing"]
                guard storedWidth == width else {
                    throw StoreError.modelMismatch(path: url.path, model: key.description, reason: "width \(storedWidth), not \(width)")
                }
                guard storedPreprocessing == preprocessing else {
                    throw StoreError.modelMismatch(path: url.path, model: key.description,
                                                   reason: "another preprocessing (\(storedPreprocessing.prefix(80))...)")
                }
                return StoredModel(id: row["id"], key: key, preprocessing: preprocessing, width: width)
            }
            try db.execute(sql: "INSERT INTO models (name, variant, weights_sha256, preprocessing, width) VALUES (?, ?, ?, ?, ?)",
                           arguments: [key.name, key.variant, key.weightsSHA256, preprocessing, width])
            return StoredModel(id: db.lastInsertedRowID, key: key, preprocessing: preprocessing, width: width)
        }
    }

    // MARK: embeddings

    /// Content hashes that have an embedding for `model`.
    public func embeddedHashes(model: StoredModel) throws -> Set<String> {
        try reading { db in
            Set(try String.fetchAll(db, sql: "SELECT content_hash FROM embeddings WHERE model_id = ?", arguments: [model.id]))
        }
    }

    /// Number of embeddings stored for `model`.
    public func embeddingCount(model: StoredModel) throws -> Int {
        try reading { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM embeddings WHERE model_id = ?", arguments: [model.id]) ?? 0 }
    }

    /// Writes one batch in one transaction: its embeddings (validated: `model.width` finite
    /// values each) and the decode outcome of its images (every image row with that content).
    public func commit(_ batch: StoreBatch, model: StoredModel) throws {
        for (hash, vector) in batch.embeddings {
            if let problem = Self.problem(vector, width: model.width) {
                throw StoreError.invalidEmbedding(path: url.path, contentHash: hash, reason: problem)
            }
        }
        try writing { db in
            let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO embeddings (content_hash, model_id, vector) VALUES (?, ?, ?)")
            for (hash, vector) in batch.embeddings {
                try insert.execute(arguments: [hash, model.id, Self.blob(vector)])
            }
            let update = try db.cachedStatement(sql: "UPDATE images SET status = ?, reason = ?, width = ?, height = ? WHERE content_hash = ?")
            for outcome in batch.outcomes {
                try update.execute(arguments: [outcome.status.rawValue, outcome.reason, outcome.width, outcome.height, outcome.contentHash])
            }
        }
    }

    /// The embeddings of `hashes` for `model`, row-major in the given order, each validated.
    /// A missing row is an error too (the caller asks only for hashes it knows are stored).
    public func embeddings(model: StoredModel, hashes: [String]) throws -> [Float] {
        let width = model.width
        guard hashes.count <= Int.max / max(width, 1) else { throw StoreError.database(path: url.path, reason: "too many embeddings requested") }
        var values = [Float](repeating: 0, count: hashes.count * width)
        try reading { db in
            let select = try db.cachedStatement(sql: "SELECT vector FROM embeddings WHERE content_hash = ? AND model_id = ?")
            try values.withUnsafeMutableBufferPointer { out in
                for (i, hash) in hashes.enumerated() {
                    guard let data = try Data.fetchOne(select, arguments: [hash, model.id]) else {
                        throw StoreError.corruptEmbedding(path: url.path, contentHash: hash, model: model.key.description, reason: "missing")
                    }
                    let target = UnsafeMutableBufferPointer(rebasing: out[(i * width)..<((i + 1) * width)])
                    if let problem = Self.decode(data, width: width, into: target) {
                        throw StoreError.corruptEmbedding(path: url.path, contentHash: hash, model: model.key.description, reason: problem)
                    }
                }
            }
        }
        return values
    }

    /// Replaces a stored blob with raw bytes, unchecked. For tests of the read-side validation.
    public func overwriteBlobForTesting(contentHash: String, model: StoredModel, bytes: Data) throws {
        try writing { db in
            try db.execute(sql: "UPDATE embeddings SET vector = ? WHERE content_hash = ? AND model_id = ?", arguments: [bytes, contentHash, model.id])
        }
    }

    // MARK: blob encoding (float32 little endian)

    static func blob(_ vector: [Float]) -> Data {
        var data = Data(count: vector.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, v) in vector.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        }
        return data
    }

    static func decode(_ data: Data, width: Int, into out: UnsafeMutableBufferPointer<Float>) -> String? {
        guard data.count == width * 4 else { return "\(data.count) bytes, expected \(width * 4) (\(width) float32)" }
        return data.withUnsafeBytes { raw -> String? in
            for i in 0..<width {
                let v = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                guard v.isFinite else { return "value \(i) is \(v)" }
                out[i] = v
            }
            return nil
        }
    }

    static func problem(_ vector: [Float], width: Int) -> String? {
        guard vector.count == width else { return "\(vector.count) values, expected \(width)" }
        if let i = vector.firstIndex(where: { !$0.isFinite }) { return "value \(i) is \(vector[i])" }
        return nil
    }
}
