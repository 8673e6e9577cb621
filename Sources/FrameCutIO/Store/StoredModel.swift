import Foundation

/// A model row of the store.
public struct StoredModel: Sendable, Equatable, Codable {
    public let id: Int64
    public let key: StoredModelKey
    /// The preprocessing recipe, as JSON (a different recipe under the same key is refused).
    public let preprocessing: String
    /// Floats per embedding.
    public let width: Int
}

