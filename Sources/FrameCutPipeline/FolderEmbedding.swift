import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut embed`: scan a folder, embed it with one model through the store, and write the
/// `.npy`, names and metadata files from the store.
///
/// With a `shard` (`embed --shard i/N`) only that share of the folder is hashed and embedded,
/// into a store of its own that records the share; the files are then optional (the store is
/// the result, for `framecut merge`), and a share with nothing usable (or nothing at all) is
/// not an error.
public struct FolderEmbedding: Sendable {
    public var folder: URL
    public var model: ModelSpec
    public var store: URL
    /// The `.npy`, names and metadata files; nil only for a shard.
    public var files: EmbeddingFiles?
    public var batchSize: Int
    public var threads: Int
    public var includeHidden: Bool
    public var shard: ShardSpec?

    public init(folder: URL, model: ModelSpec, store: URL, files: EmbeddingFiles?, batchSize: Int = 16,
                threads: Int = ParallelWork.processorCount, includeHidden: Bool = false, shard: ShardSpec? = nil) {
        self.folder = folder
        self.model = model
        self.store = store
        self.files = files
        self.batchSize = batchSize
        self.threads = threads
        self.includeHidden = includeHidden
        self.shard = shard
    }

    /// Checks the options and the output paths before any work (nothing inside the image folder).
    public func validate() throws {
        guard batchSize >= 1 else { throw PipelineError.invalidOption(flag: "--batch", reason: "must be at least 1") }
        guard files != nil || shard != nil else { throw PipelineError.invalidOption(flag: "--out", reason: "required (optional only with --shard)") }
        var outputs: [OutputPaths.Labelled] = [.init(store, "--store")]
        if let files {
            outputs += [.init(files.embeddings, "--out"), .init(files.names, "--names"), .init(files.metadata, "the metadata file")]
        }
        try OutputPaths.check(files: outputs, inputs: [.init(model.weights, "--weights")], imageFolders: [.init(folder, "FOLDER")])
    }

    public func execute(progress: PipelineProgressHandler? = nil) throws -> EmbeddingSet {
        try validate()
        let resolved = try model.resolve()
        let store = try EmbeddingStore(url: self.store)
        let collection = try CollectionScan(folder: folder, includeHidden: includeHidden, threads: threads, shard: shard).run(store: store, progress: progress)
        let set = try EmbeddingJob(model: resolved, batchSize: batchSize, threads: threads).run(collection, store: store, progress: progress)
        guard !set.names.isEmpty || shard != nil else {
            throw PipelineError.nothingUsable(folder: folder.path, files: collection.files.count + collection.unreadable.count)
        }
        if let files {
            try files.write(set, metadata: EmbeddingFileMetadata(set, weights: model.weights, store: self.store, batch: batchSize, threads: threads))
        }
        return set
    }
}
