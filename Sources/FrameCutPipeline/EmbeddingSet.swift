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

