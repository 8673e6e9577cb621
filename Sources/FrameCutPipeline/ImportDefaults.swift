import Foundation
import FrameCutNN

/// Defaults for imported embeddings.
public enum ImportDefaults {
    /// The default embedding name: the catalog model's first, or "default".
    public static func variant(model: String) -> String {
        ModelCatalog.named(model)?.embeddings[0].name ?? "default"
    }

    /// The stored preprocessing of a catalog model (so imported rows and FrameCut's own share a
    /// key), or "imported" for a model FrameCut does not run. A catalog model's unknown
    /// embedding name is an error.
    public static func preprocessing(model: String, embedding: String) throws -> String {
        guard let descriptor = ModelCatalog.named(model) else { return "imported" }
        guard descriptor.embeddings.contains(where: { $0.name == embedding }) else {
            throw PipelineError.invalidOption(flag: "--embedding", reason: "\(model) has embeddings \(descriptor.embeddings.map(\.name).joined(separator: ", ")), not '\(embedding)'")
        }
        let weights = URL(fileURLWithPath: "/dev/null")
        let resolved = ResolvedModel(descriptor: descriptor, options: ModelOptions(embedding: embedding),
                                     variant: descriptor.embeddings.first { $0.name == embedding } ?? descriptor.embeddings[0],
                                     weights: weights, weightsSHA256: "")
        return resolved.preprocessingDescription
    }
}
