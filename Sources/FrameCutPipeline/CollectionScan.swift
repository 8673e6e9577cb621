import Foundation
import FrameCutCore
import FrameCutIO

/// Walks a collection folder, hashes every new or changed file (on worker threads) and brings
/// the store's images table up to date, in one transaction.
///
/// With a `shard`, only the files of that share are hashed and kept (see ``ShardSpec``), and the
/// store records the share; a store of another share, or of a whole collection, is refused.
/// Without one, a shard store is refused (merge the shards first: ``StoreMerge``).
public struct CollectionScan: Sendable {
    public var folder: URL
    public var includeHidden: Bool
    public var threads: Int
    public var shard: ShardSpec?

    public init(folder: URL, includeHidden: Bool = false, threads: Int = ParallelWork.processorCount, shard: ShardSpec? = nil) {
        self.folder = folder
        self.includeHidden = includeHidden
        self.threads = max(1, threads)
        self.shard = shard
    }

    public func run(store: EmbeddingStore, progress: PipelineProgressHandler? = nil) throws -> ScannedCollection {
        let listing: CollectionListing
        do { listing = try CollectionWalker.list(folder, options: CollectionWalkOptions(includeHidden: includeHidden)) }
        catch { throw PipelineError.input(path: folder.path, reason: error.reason) }
        guard !listing.files.isEmpty else { throw PipelineError.noImages(folder: folder.path) }
        let known = try store.images()
        let recorded = try store.shard()
        var record: StoredShard?
        if let shard {
            if let recorded, recorded.index != shard.index || recorded.count != shard.count || recorded.rule != ShardSpec.rule {
                throw PipelineError.shard(store: store.url.path, reason: "it holds shard \(recorded), not \(shard); give each shard its own --store")
            }
            if recorded == nil, !known.isEmpty {
                throw PipelineError.shard(store: store.url.path, reason: "it holds a whole collection, not shard \(shard); give each shard its own --store")
            }
            record = shard.record(listing: listing.files.map(\.relativePath))
        } else if let recorded {
            throw PipelineError.shard(store: store.url.path,
                                      reason: "it holds only shard \(recorded) of a collection; merge the shards (framecut merge) and use the merged store")
        }
        let clock = Stopwatch()
        let files = shard.map { shard in listing.files.filter { shard.contains($0.relativePath) } } ?? listing.files
        let total = files.count
        var callback: (@Sendable (Int, Int) -> Bool)?
        if let progress {
            callback = { done, total in progress(PipelineProgress(stage: .scan, done: done, total: total, seconds: clock.seconds)) }
        }
        let counter = ProgressCounter(total: total, callback: callback)
        let outcomes = ParallelWork.map(count: total, threads: threads, shouldContinue: { !counter.cancelled }) { i -> ScanOutcome in
            defer { counter.tick() }
            let file = files[i]
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.url.path),
                  let size = (attributes[.size] as? NSNumber)?.int64Value,
                  let date = attributes[.modificationDate] as? Date else {
                return .unreadable(SkippedImage(name: file.relativePath, reason: "cannot read file attributes"))
            }
            let mtime = date.timeIntervalSince1970
            if let old = known[file.relativePath], old.size == size, old.modificationTime == mtime {
                return .hashed(old, fromStore: true)
            }
            guard let hash = try? SHA256.hex(fileAt: file.url) else {
                return .unreadable(SkippedImage(name: file.relativePath, reason: "cannot read file"))
            }
            return .hashed(StoredImage(path: file.relativePath, size: size, modificationTime: mtime, contentHash: hash), fromStore: false)
        }
        if counter.cancelled { throw PipelineError.interrupted(stage: .scan, committed: 0) }
        // What is known about a content (from any path) carries over to new paths with it.
        var byHash: [String: StoredImage] = [:]
        for image in known.values where image.status != .pending { byHash[image.contentHash] = image }
        var rows: [StoredImage] = [], scanned: [ScannedFile] = [], unreadable: [SkippedImage] = []
        var reused = 0
        for (file, outcome) in zip(files, outcomes) {
            switch outcome {
            case .some(.hashed(var image, let fromStore)):
                if fromStore { reused += 1 }
                if image.status == .pending, let same = byHash[image.contentHash] {
                    image.status = same.status
                    image.reason = same.reason
                    image.width = same.width
                    image.height = same.height
                }
                rows.append(image)
                scanned.append(ScannedFile(path: file.relativePath, url: file.url, contentHash: image.contentHash))
            case .some(.unreadable(let skipped)):
                unreadable.append(skipped)
            case .none:
                throw PipelineError.interrupted(stage: .scan, committed: 0)
            }
        }
        try store.replaceImages(rows, shard: record)
        _ = progress?(PipelineProgress(stage: .scan, done: total, total: total, skipped: unreadable.count, seconds: clock.seconds, finished: true))
        return ScannedCollection(folder: folder, files: scanned, unreadable: unreadable, reusedHashes: reused)
    }
}

/// What scanning one file found.
private enum ScanOutcome: Sendable {
    case hashed(StoredImage, fromStore: Bool)
    case unreadable(SkippedImage)
}
