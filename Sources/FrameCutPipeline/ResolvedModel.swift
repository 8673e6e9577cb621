import Foundation
import FrameCutIO
import FrameCutNN

/// A model ready to embed with: its catalog entry, variant and weights identity.
public struct ResolvedModel: Sendable {
    public let descriptor: ModelDescriptor
    public let options: ModelOptions
    public let variant: EmbeddingVariant
    public let weights: URL
    public let weightsSHA256: String

    /// The key of its embeddings in the store.
    public var key: StoredModelKey { StoredModelKey(name: descriptor.id, variant: variant.name, weightsSHA256: weightsSHA256) }

    /// The preprocessing recipe as canonical JSON (sorted keys): stored with the model.
    public var preprocessingDescription: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(descriptor.preprocessing)).map { String(decoding: $0, as: UTF8.self) } ?? descriptor.preprocessing.name
    }

    /// Short display name: the id, plus the variant when it is not the default.
    public var displayName: String {
        variant == descriptor.embeddings[0] ? descriptor.id : "\(descriptor.id)-\(variant.name)"
    }

    /// Loads the network from the weights file, strictly.
    public func load() throws -> any ImageEmbeddingModel {
        do { return try descriptor.load(contentsOf: weights, options: options) } catch {
            throw PipelineError.weightsUnreadable(path: weights.path, reason: "\(error)")
        }
    }
}
