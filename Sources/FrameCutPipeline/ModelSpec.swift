import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutNN

/// A model as the user names it: catalog id, weights file, embedding variant.
public struct ModelSpec: Sendable, Equatable {
    public var model: String
    public var weights: URL
    /// One of the model's embedding variants; nil for its default.
    public var embedding: String?

    public init(model: String, weights: URL, embedding: String? = nil) {
        self.model = model
        self.weights = weights
        self.embedding = embedding
    }

    /// Checks the names and hashes the weights file (the network itself is loaded only when
    /// something needs embedding).
    public func resolve() throws -> ResolvedModel {
        guard let descriptor = ModelCatalog.named(model) else {
            throw PipelineError.unknownModel(name: model, available: ModelCatalog.all.map(\.id))
        }
        let options = ModelOptions(embedding: embedding)
        let variant: EmbeddingVariant
        do { variant = try descriptor.embedding(for: options) } catch {
            throw PipelineError.invalidOption(flag: "--embedding", reason: "\(error)")
        }
        let sha: String
        do { sha = try SHA256.hex(fileAt: weights) } catch {
            throw PipelineError.weightsUnreadable(path: weights.path, reason: "cannot open weights file")
        }
        return ResolvedModel(descriptor: descriptor, options: options, variant: variant, weights: weights, weightsSHA256: sha)
    }
}

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
