import Foundation

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
