import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutNN

/// `framecut bench run`: the embedding job's throughput (scan, decode on worker threads,
/// forward, store) against the bare forward pass of the same model at the same batch size and
/// threads, and where the job's time goes.
public struct EmbeddingBenchmark: Sendable {
    public var folder: URL
    public var model: ModelSpec
    public var batchSize: Int
    public var threads: Int

    public init(folder: URL, model: ModelSpec, batchSize: Int = 16, threads: Int = ParallelWork.processorCount) {
        self.folder = folder
        self.model = model
        self.batchSize = max(1, batchSize)
        self.threads = max(1, threads)
    }

    /// Figures of one benchmark run (seconds, images per second).
    public struct Result: Sendable, Codable {
        public var images: Int
        public var batch: Int
        public var threads: Int
        /// Forward passes alone on one decoded batch, repeated for as many images.
        public var bareImagesPerSecond: Double
        /// The whole embedding job into a fresh store (network already loaded).
        public var jobImagesPerSecond: Double
        public var scanSeconds: Double
        /// Per image: decoding + preprocessing (worker threads), forward, committing to the store,
        /// reading back (validated).
        public var decodeSecondsPerImage: Double
        public var forwardSecondsPerImage: Double
        public var storeSecondsPerImage: Double
        public var readSecondsPerImage: Double

        /// Job throughput as a share of the bare forward pass (1 = no overhead).
        public var ratio: Double { bareImagesPerSecond > 0 ? jobImagesPerSecond / bareImagesPerSecond : 0 }
    }

    public func run() throws -> Result {
        let resolved = try model.resolve()
        let network = try resolved.load()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("framecut-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let store = try EmbeddingStore(url: work.appendingPathComponent("bench.sqlite"))

        let scanClock = Stopwatch()
        let collection = try CollectionScan(folder: folder, threads: threads).run(store: store)
        let scanSeconds = scanClock.seconds
        let n = collection.files.count

        // Bare forward: one decoded batch, run ceil(n / batch) times after one warm-up pass.
        let sample = Array(collection.files.prefix(batchSize)).map(\.url)
        let batch = BatchPreprocessor(preprocessing: resolved.descriptor.preprocessing, threads: threads).load(sample)
        let tensor = Tensor(shape: [batch.count, 3, batch.height, batch.width], values: batch.values)
        let context = ComputeContext(threads: threads)
        _ = network.embedBatch(tensor, context: context)
        let passes = max(1, (n + batch.count - 1) / max(batch.count, 1))
        let bareClock = Stopwatch()
        for _ in 0..<passes { _ = network.embedBatch(tensor, context: context) }
        let bare = Double(passes * batch.count) / bareClock.seconds

        let set = try EmbeddingJob(model: resolved, batchSize: batchSize, threads: threads, network: network).run(collection, store: store)
        let t = set.timing
        let done = Double(max(set.computed, 1))
        return Result(images: set.computed, batch: batchSize, threads: threads, bareImagesPerSecond: bare,
                      jobImagesPerSecond: Double(set.computed) / max(t.embedding, 1e-9), scanSeconds: scanSeconds,
                      decodeSecondsPerImage: t.decoding / done, forwardSecondsPerImage: t.forward / done,
                      storeSecondsPerImage: t.store / done, readSecondsPerImage: t.reading / done)
    }
}
