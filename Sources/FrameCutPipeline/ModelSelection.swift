import Foundation
import FrameCutIO

/// Chooses stored embeddings by model name, and optionally variant and weights SHA-256 (a
/// prefix is enough), then reads them out for `.npy` files.
public struct ModelSelection: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var variant: String?
    public var weightsSHA256: String?

    public init(name: String, variant: String? = nil, weightsSHA256: String? = nil) {
        self.name = name
        self.variant = variant
        self.weightsSHA256 = weightsSHA256?.lowercased()
    }

    public var description: String {
        name + (variant.map { "/\($0)" } ?? "") + (weightsSHA256.map { "@\($0)" } ?? "")
    }

    /// The one stored model that matches.
    public func find(in store: EmbeddingStore) throws -> StoredModel {
        let models = try store.models()
        let matches = models.filter { m in
            m.key.name == name && (variant.map { m.key.variant == $0 } ?? true)
                && (weightsSHA256.map { m.key.weightsSHA256.hasPrefix($0) } ?? true)
        }
        guard !matches.isEmpty else {
            throw StoreError.unknownModel(path: store.url.path, selection: description, available: models.map(\.key.description))
        }
        guard matches.count == 1, let only = matches.first else {
            throw StoreError.ambiguousModel(path: store.url.path, selection: description, candidates: matches.map(\.key.description))
        }
        return only
    }
}
