import Foundation
import FrameCutCore
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

/// The order of `CollectionWalker`: by path components, each compared byte-wise (UTF-8).
enum PathOrder {
    static func precedes(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: "/", omittingEmptySubsequences: false), y = b.split(separator: "/", omittingEmptySubsequences: false)
        for (p, q) in zip(x, y) where p != q { return p.utf8.lexicographicallyPrecedes(q.utf8) }
        return x.count < y.count
    }
}
