import Foundation
import FrameCutIO

/// What an embedding run produced: one row per usable image, in input order.
public struct EmbeddingRun: Sendable {
    /// Names (paths relative to the collection folder) of the embedded images, one per row.
    public var names: [String]
    /// `names.count x width` float32 values, row-major.
    public var embeddings: [Float]
    public var width: Int
    /// Images that could not be used, with the reason (skipped, never fatal).
    public var failures: [Failure]
    /// Images used with a warning (truncated files are decoded as far as they go).
    public var warnings: [Failure]
    /// Batches taken over from an interrupted earlier run.
    public var resumedBatches: Int

    public struct Failure: Sendable, Codable, Equatable {
        public let name: String
        public let reason: String
    }
}

/// Embeds a list of image files batch by batch with one model: decode and preprocess
/// (in parallel), forward pass, next batch.
///
/// Every finished batch is written to a parts folder beside the output, so an interrupted run
/// started again with the same inputs and options picks up where it stopped; the caller
/// removes the folder once the final outputs are written.
public struct CollectionEmbedder: Sendable {
    public var model: any ImageEmbeddingModel
    public var preprocessing: Preprocessing
    public var batchSize: Int
    public var threads: Int
    public var decoder: ImageDecoder

    public init(model: any ImageEmbeddingModel, preprocessing: Preprocessing, batchSize: Int = 16, threads: Int = 1,
                decoder: ImageDecoder = ImageDecoder()) {
        self.model = model
        self.preprocessing = preprocessing
        self.batchSize = max(1, batchSize)
        self.threads = max(1, threads)
        self.decoder = decoder
    }

    /// Embeds `files` (name = path relative to the collection, url = where to read it).
    /// - Parameters:
    ///   - parts: folder for finished batches (resume state); nil keeps everything in memory.
    ///   - runIdentity: anything that must match for parts to be reused (model, weights hash, options).
    ///   - rows: when given, receives each batch's embeddings (row-major, one row per usable
    ///     image, in order) instead of `EmbeddingRun.embeddings`, so large runs can stream to disk.
    ///   - progress: called after each batch with (images done, total); return false to stop.
    public func run(_ files: [(name: String, url: URL)], parts: URL?, runIdentity: String,
                    rows: (([Float]) throws -> Void)? = nil,
                    progress: ((Int, Int) -> Bool)? = nil) throws -> EmbeddingRun {
        let store = try parts.map { try EmbeddingPartStore(folder: $0, identity: runIdentity, files: files.map(\.name), batchSize: batchSize) }
        var run = EmbeddingRun(names: [], embeddings: [], width: model.embeddingWidth, failures: [], warnings: [], resumedBatches: 0)
        let batches = stride(from: 0, to: files.count, by: batchSize).map { $0..<min($0 + batchSize, files.count) }
        let preprocessor = BatchPreprocessor(preprocessing: preprocessing, decoder: decoder, threads: threads)
        let context = ComputeContext(threads: threads)
        for (index, range) in batches.enumerated() {
            let part: EmbeddingPart
            if let stored = store?.load(batch: index) {
                part = stored
                run.resumedBatches += 1
            } else {
                part = embed(files[range], preprocessor: preprocessor, context: context)
                try store?.save(part, batch: index)
            }
            run.names += part.names
            if let rows { try rows(part.embeddings) } else { run.embeddings += part.embeddings }
            run.failures += part.failures
            run.warnings += part.warnings
            if let progress, !progress(range.upperBound, files.count) {
                throw CancellationError()
            }
        }
        return run
    }

    /// One batch: the usable images' rows, the failures and warnings.
    func embed(_ files: ArraySlice<(name: String, url: URL)>, preprocessor: BatchPreprocessor, context: ComputeContext) -> EmbeddingPart {
        let list = Array(files)
        let batch = preprocessor.load(list.map(\.url))
        let failed = Set(batch.failures.map(\.index))
        var part = EmbeddingPart(names: [], embeddings: [], failures: [], warnings: [])
        for (i, error) in batch.failures { part.failures.append(.init(name: list[i].name, reason: error.reason)) }
        for (i, warnings) in batch.warnings {
            part.warnings.append(.init(name: list[i].name, reason: warnings.map(\.description).joined(separator: "; ")))
        }
        let usable = (0..<list.count).filter { !failed.contains($0) }
        guard !usable.isEmpty else { return part }
        let slot = 3 * batch.height * batch.width
        var values = [Float]()
        values.reserveCapacity(usable.count * slot)
        for i in usable { values += batch.values[(i * slot)..<((i + 1) * slot)] }
        let output = model.embedBatch(Tensor(shape: [usable.count, 3, batch.height, batch.width], values: values), context: context)
        part.names = usable.map { list[$0].name }
        part.embeddings = output.values
        return part
    }
}

/// One finished batch.
struct EmbeddingPart: Codable, Sendable {
    var names: [String]
    var embeddings: [Float]
    var failures: [EmbeddingRun.Failure]
    var warnings: [EmbeddingRun.Failure]
}

/// Finished batches on disk: `identity.json` (what the run is) and `batch-NNNNNN.json` + `.f32`.
/// A folder left by a different run (other files, model, weights or options) is an error rather
/// than silently mixed in.
struct EmbeddingPartStore {
    struct Identity: Codable, Equatable {
        let run: String
        let batchSize: Int
        let fileCount: Int
        let filesSHA256: String
    }

    let folder: URL

    init(folder: URL, identity: String, files: [String], batchSize: Int) throws {
        self.folder = folder
        let expected = Identity(run: identity, batchSize: batchSize, fileCount: files.count,
                                filesSHA256: SHA256.hex(Array(files.joined(separator: "\n").utf8)))
        let identityURL = folder.appendingPathComponent("identity.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? Data(contentsOf: identityURL) {
            guard let found = try? JSONDecoder().decode(Identity.self, from: data), found == expected else {
                throw EmbeddingError.staleParts(folder: folder.path)
            }
        } else {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try AtomicFile.write(encoder.encode(expected), to: identityURL)
        }
    }

    private func urls(_ batch: Int) -> (meta: URL, values: URL) {
        let stem = String(format: "batch-%06d", batch)
        return (folder.appendingPathComponent(stem + ".json"), folder.appendingPathComponent(stem + ".f32"))
    }

    /// The stored batch, or nil when it was not finished (or is unreadable: it is then redone).
    func load(batch: Int) -> EmbeddingPart? {
        let (metaURL, valuesURL) = urls(batch)
        guard let meta = try? Data(contentsOf: metaURL), let raw = try? Data(contentsOf: valuesURL),
              var part = try? JSONDecoder().decode(EmbeddingPart.self, from: meta), raw.count % 4 == 0 else { return nil }
        part.embeddings = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return part
    }

    /// Values first, then the metadata: a batch counts as done only when both are in place.
    func save(_ part: EmbeddingPart, batch: Int) throws {
        let (metaURL, valuesURL) = urls(batch)
        try AtomicFile.write(part.embeddings.withUnsafeBytes { Data($0) }, to: valuesURL)
        var meta = part
        meta.embeddings = []
        try AtomicFile.write(JSONEncoder().encode(meta), to: metaURL)
    }
}

/// Why an embedding run cannot go on.
public enum EmbeddingError: Error, CustomStringConvertible, Equatable {
    case staleParts(folder: String)
    case noImages(folder: String)

    public var description: String {
        switch self {
        case .staleParts(let folder):
            return "\(folder) holds the partial results of a different run (other files, model, weights or options); " +
                "remove it or pass --restart"
        case .noImages(let folder):
            return "no images found under \(folder)"
        }
    }
}
