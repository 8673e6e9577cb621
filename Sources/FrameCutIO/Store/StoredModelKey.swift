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
