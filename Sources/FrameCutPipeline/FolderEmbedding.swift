import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut embed`: scan a folder, embed it with one model through the store, and write the
/// `.npy`, names and metadata files from the store.
public struct FolderEmbedding: Sendable {
    public var folder: URL
    public var model: ModelSpec
    public var store: URL
    public var files: EmbeddingFiles
    public var batchSize: Int
    public var threads: Int
    public var includeHidden: Bool

    public init(folder: URL, model: ModelSpec, store: URL, files: EmbeddingFiles, batchSize: Int = 16,
                threads: Int = ParallelWork.processorCount, includeHidden: Bool = false) {
        self.folder = folder
        self.model = model
        self.store = store
        self.files = files
        self.batchSize = batchSize
        self.threads = threads
        self.includeHidden = includeHidden
    }

    /// Checks the output paths before any work (nothing inside the image folder).
    public func validate() throws {
        guard batchSize >= 1 else { throw PipelineError.invalidOption(flag: "--batch", reason: "must be at least 1") }
        try OutputPaths.check(files: [.init(store, "--store"), .init(files.embeddings, "--out"), .init(files.names, "--names"),
                                      .init(files.metadata, "the metadata file")],
                              inputs: [.init(model.weights, "--weights")], imageFolders: [.init(folder, "FOLDER")])
    }

    public func execute(progress: PipelineProgressHandler? = nil) throws -> EmbeddingSet {
        try validate()
        let resolved = try model.resolve()
        let store = try EmbeddingStore(url: self.store)
        let collection = try CollectionScan(folder: folder, includeHidden: includeHidden, threads: threads).run(store: store, progress: progress)
        let set = try EmbeddingJob(model: resolved, batchSize: batchSize, threads: threads).run(collection, store: store, progress: progress)
        guard !set.names.isEmpty else {
            throw PipelineError.nothingUsable(folder: folder.path, files: collection.files.count + collection.unreadable.count)
        }
        try files.write(set, metadata: EmbeddingFileMetadata(set, weights: model.weights, store: self.store, batch: batchSize, threads: threads))
        return set
    }
}
