import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutNN

/// Embeds a scanned collection with one model into the store, then reads the collection's
/// embeddings back.
///
/// Only images whose content has no embedding under the model's key (name, variant, weights
/// SHA-256) are decoded; images known to be undecodable are not retried. Each batch is
/// committed in one transaction as soon as its forward pass ends, so a killed process loses at
/// most the batch in flight, and the next run continues. When the progress handler returns
/// false, the batch in flight is committed and the job throws `PipelineError.interrupted`.
public struct EmbeddingJob: Sendable {
    public var model: ResolvedModel
    public var batchSize: Int
    public var threads: Int
    /// The network, when the caller has it loaded already (else it is loaded from the weights
    /// file, only when something needs embedding).
    public var network: (any ImageEmbeddingModel)?

    public init(model: ResolvedModel, batchSize: Int = 16, threads: Int = ParallelWork.processorCount, network: (any ImageEmbeddingModel)? = nil) {
        self.model = model
        self.network = network
        self.batchSize = max(1, batchSize)
        self.threads = max(1, threads)
    }

    public func run(_ collection: ScannedCollection, store: EmbeddingStore, progress: PipelineProgressHandler? = nil) throws -> EmbeddingSet {
        let clock = Stopwatch()
        var timing = EmbeddingTiming()
        let stored = try store.model(model.key, preprocessing: model.preprocessingDescription, width: model.variant.width)
        let embedded = try store.embeddedHashes(model: stored)
        let failedBefore = Set(try store.images().values.filter { $0.status == .failed }.map(\.contentHash))
        var seen = Set<String>()
        var pending: [ScannedFile] = []
        for file in collection.files where !embedded.contains(file.contentHash) && !failedBefore.contains(file.contentHash) {
            if seen.insert(file.contentHash).inserted { pending.append(file) }
        }
        let name = model.displayName
        let total = pending.count
        var done = 0, skipped = 0
        if !pending.isEmpty {
            let loading = Stopwatch()
            let network = try self.network ?? model.load()
            timing.loadingWeights = loading.seconds
            guard network.embeddingWidth == stored.width else {
                throw PipelineError.weightsUnreadable(path: model.weights.path, reason: "network returns \(network.embeddingWidth) values, the store expects \(stored.width)")
            }
            let embedder = CollectionEmbedder(model: network, preprocessing: model.descriptor.preprocessing, batchSize: batchSize, threads: threads)
            let embedClock = Stopwatch()
            var stop = false
            _ = try embedder.run(pending.map(\.url)) { batch in
                var record = StoreBatch()
                let failures = Dictionary(batch.failures.map { ($0.index, $0.reason) }, uniquingKeysWith: { a, _ in a })
                let warnings = Dictionary(batch.warnings.map { ($0.index, $0.reason) }, uniquingKeysWith: { a, _ in a })
                for (k, index) in batch.embedded.enumerated() {
                    record.embeddings.append((pending[index].contentHash, batch.row(k)))
                }
                for index in batch.range {
                    let size = batch.sizes[index]
                    if let reason = failures[index] {
                        record.outcomes.append((pending[index].contentHash, .failed, reason, nil, nil))
                        skipped += 1
                    } else {
                        record.outcomes.append((pending[index].contentHash, warnings[index] == nil ? .ok : .warning, warnings[index], size?.width, size?.height))
                    }
                }
                let storeClock = Stopwatch()
                try store.commit(record, model: stored)
                timing.store += storeClock.seconds
                timing.decoding += batch.secondsDecoding
                timing.forward += batch.secondsForward
                timing.batches += 1
                done = batch.range.upperBound
                let last = done == total
                if let progress, !progress(PipelineProgress(stage: .embed, model: name, done: done, total: total, skipped: skipped,
                                                            seconds: embedClock.seconds, finished: last)), !last {
                    stop = true
                    return false
                }
                return true
            }
            if stop { throw PipelineError.interrupted(stage: .embed, committed: done) }
        } else {
            _ = progress?(PipelineProgress(stage: .embed, model: name, done: 0, total: 0, seconds: 0, finished: true))
        }
        timing.embedding = clock.seconds
        let reading = Stopwatch()
        var result = try Self.read(collection, model: stored, store: store, computed: total - skipped, timing: timing)
        result.timing.reading = reading.seconds
        return result
    }

    /// The collection's embeddings under `model`, in walk order, from the store (validated).
    /// Files whose content failed to decode, or has no embedding, are listed as skipped.
    static func read(_ collection: ScannedCollection, model: StoredModel, store: EmbeddingStore, computed: Int, timing: EmbeddingTiming) throws -> EmbeddingSet {
        let images = try store.images()
        let embedded = try store.embeddedHashes(model: model)
        var names: [String] = [], hashes: [String] = [], skipped = collection.unreadable, warnings: [SkippedImage] = []
        for file in collection.files {
            let image = images[file.path]
            if embedded.contains(file.contentHash) {
                names.append(file.path)
                hashes.append(file.contentHash)
                if image?.status == .warning { warnings.append(SkippedImage(name: file.path, reason: image?.reason ?? "warning")) }
            } else {
                skipped.append(SkippedImage(name: file.path, reason: image?.reason ?? "not embedded"))
            }
        }
        let values = try store.embeddings(model: model, hashes: hashes)
        return EmbeddingSet(model: model, names: names, contentHashes: hashes, values: values, skipped: skipped, warnings: warnings,
                            computed: computed, reused: Set(hashes).count - computed, timing: timing)
    }
}

