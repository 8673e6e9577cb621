import Foundation
import FrameCutIO

/// The embeddings of a collection under one model, read back from the store: one row per
/// usable image, in the collection's walk order.
public struct EmbeddingSet: Sendable {
    /// The model row of the store (name, variant, weights SHA-256, preprocessing, width).
    public let model: StoredModel
    /// Paths relative to the collection folder, one per row.
    public let names: [String]
    /// Content hash (SHA-256) of each row's file.
    public let contentHashes: [String]
    /// `names.count x width` float32 values, row-major.
    public let values: [Float]
    public var width: Int { model.width }
    /// Files left out, with the reason.
    public let skipped: [SkippedImage]
    /// Files used with a decoder warning.
    public let warnings: [SkippedImage]
    /// Images embedded by this run, and images whose embedding was already in the store.
    public let computed: Int
    public let reused: Int
    public internal(set) var timing: EmbeddingTiming
}

/// Where the time of an embedding job went (seconds).
public struct EmbeddingTiming: Sendable, Codable, Equatable {
    /// Hashing the weights file and loading the network (0 when nothing needed embedding).
    public var loadingWeights = 0.0
    /// The whole embedding stage, wall clock.
    public var embedding = 0.0
    /// Sum over batches of decoding + preprocessing (on worker threads, overlapping the model).
    public var decoding = 0.0
    /// Sum over batches of the forward pass.
    public var forward = 0.0
    /// Sum over batches of committing to the store.
    public var store = 0.0
    /// Reading the embeddings back from the store, validated.
    public var reading = 0.0
    public var batches = 0

    public init() {}
}
