import Foundation

/// What identifies a set of embeddings: the model, which of its embeddings, and the exact
/// weights file (SHA-256). Embeddings of one image under one key are computed once.
public struct StoredModelKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var variant: String
    public var weightsSHA256: String

    public init(name: String, variant: String, weightsSHA256: String) {
        self.name = name
        self.variant = variant
        self.weightsSHA256 = weightsSHA256
    }

    /// `name/variant@sha-prefix`, for messages.
    public var description: String { "\(name)/\(variant)@\(weightsSHA256.prefix(12))" }
}

/// A model row of the store.
public struct StoredModel: Sendable, Equatable, Codable {
    public let id: Int64
    public let key: StoredModelKey
    /// The preprocessing recipe, as JSON (a different recipe under the same key is refused).
    public let preprocessing: String
    /// Floats per embedding.
    public let width: Int
}

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
