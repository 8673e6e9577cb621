import Foundation
import FrameCutCore
import FrameCutIO

/// The files Python users get from `embed` and `export`: `X.npy` (float32, one row per image),
/// `X.names.txt` (one relative path per row) and `X.json` (what made them).
public struct EmbeddingFiles: Sendable, Equatable {
    public let embeddings: URL
    public let names: URL
    public let metadata: URL

    /// `out` and its companions: names default to OUT with `.names.txt`, metadata to OUT with `.json`.
    public init(out: URL, names: URL? = nil) {
        let stem = out.pathExtension == "npy" ? out.deletingPathExtension() : out
        embeddings = out
        self.names = names ?? URL(fileURLWithPath: stem.path + ".names.txt")
        metadata = URL(fileURLWithPath: stem.path + ".json")
    }

    public var all: [URL] { [embeddings, names, metadata] }

    /// Writes the three files, each atomically.
    public func write(_ set: EmbeddingSet, metadata meta: EmbeddingFileMetadata) throws {
        try NPYFile.write(try NPYArray(shape: [set.names.count, set.width], values: .float32(set.values)), to: embeddings)
        try NameList.write(set.names, to: names)
        try AtomicFile.write(try ClusteringOutput.jsonData(meta), to: metadata)
    }
}

/// `X.json` beside exported embeddings.
public struct EmbeddingFileMetadata: Codable, Sendable {
    public var model: String
    public var embedding: String
    public var weights: String?
    public var weightsSHA256: String
    /// The preprocessing recipe as stored (JSON text).
    public var preprocessing: String
    public var embeddingWidth: Int
    public var images: Int
    public var files: Int
    public var failures: [SkippedImage]
    public var warnings: [SkippedImage]
    public var store: String
    public var computed: Int
    public var reused: Int
    public var timing: EmbeddingTiming
    public var batch: Int?
    public var threads: Int?
    public var framecutVersion: String

    public init(_ set: EmbeddingSet, weights: URL?, store: URL, batch: Int?, threads: Int?) {
        model = set.model.key.name
        embedding = set.model.key.variant
        self.weights = weights?.path
        weightsSHA256 = set.model.key.weightsSHA256
        preprocessing = set.model.preprocessing
        embeddingWidth = set.width
        images = set.names.count
        files = set.names.count + set.skipped.count
        failures = set.skipped
        warnings = set.warnings
        self.store = store.path
        computed = set.computed
        reused = set.reused
        timing = set.timing
        self.batch = batch
        self.threads = threads
        framecutVersion = FrameCutVersion.string
    }
}
