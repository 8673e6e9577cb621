import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut export`: the embeddings of every image of the store's collection under one model,
/// in path order, as `.npy` + names + metadata.
public enum EmbeddingExport {
    public static func read(store: EmbeddingStore, selection: ModelSelection) throws -> EmbeddingSet {
        let model = try selection.find(in: store)
        let images = try store.images().values.sorted { PathOrder.precedes($0.path, $1.path) }
        let embedded = try store.embeddedHashes(model: model)
        var names: [String] = [], hashes: [String] = [], skipped: [SkippedImage] = [], warnings: [SkippedImage] = []
        for image in images {
            if embedded.contains(image.contentHash) {
                names.append(image.path)
                hashes.append(image.contentHash)
                if image.status == .warning { warnings.append(SkippedImage(name: image.path, reason: image.reason ?? "warning")) }
            } else {
                skipped.append(SkippedImage(name: image.path, reason: image.reason ?? "not embedded with \(model.key)"))
            }
        }
        guard !names.isEmpty else {
            throw StoreError.unknownModel(path: store.url.path, selection: "\(selection) for the images of the collection", available: [model.key.description])
        }
        let values = try store.embeddings(model: model, hashes: hashes)
        return EmbeddingSet(model: model, names: names, contentHashes: hashes, values: values, skipped: skipped, warnings: warnings,
                            computed: 0, reused: Set(hashes).count, timing: EmbeddingTiming())
    }
}

