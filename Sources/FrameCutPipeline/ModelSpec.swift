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

