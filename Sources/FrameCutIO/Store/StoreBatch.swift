import Foundation

/// The result of committing one batch: embeddings and the decode outcome of each image.
public struct StoreBatch: Sendable {
    /// One embedding per content hash, `width` floats each.
    public var embeddings: [(contentHash: String, vector: [Float])]
    /// Decode outcome per content hash (status ok, warning or failed, with reason and size).
    public var outcomes: [(contentHash: String, status: StoredImage.Status, reason: String?, width: Int?, height: Int?)]

    public init(embeddings: [(contentHash: String, vector: [Float])] = [],
                outcomes: [(contentHash: String, status: StoredImage.Status, reason: String?, width: Int?, height: Int?)] = []) {
        self.embeddings = embeddings
        self.outcomes = outcomes
    }
}
