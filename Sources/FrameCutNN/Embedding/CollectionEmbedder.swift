import Foundation
import FrameCutCore
import FrameCutIO

/// Embeds a list of image files batch by batch with one model. Decoding and preprocessing of
/// batch k+1 run on worker threads while the model runs batch k; each finished batch goes to
/// the caller (who stores it) before the next forward pass starts.
public struct CollectionEmbedder: Sendable {
    public var model: any ImageEmbeddingModel
    public var preprocessing: Preprocessing
    public var batchSize: Int
    public var threads: Int
    public var decoder: ImageDecoder

    public init(model: any ImageEmbeddingModel, preprocessing: Preprocessing, batchSize: Int = 16, threads: Int = 1,
                decoder: ImageDecoder = ImageDecoder()) {
        self.model = model
        self.preprocessing = preprocessing
        self.batchSize = max(1, batchSize)
        self.threads = max(1, threads)
        self.decoder = decoder
    }

    /// Embeds `files` in order, handing each batch to `deliver`, which returns false to stop
    /// after that batch (the batch being decoded ahead is then discarded).
    /// - Returns: true when every batch was delivered, false when `deliver` stopped the run.
    @discardableResult
    public func run(_ files: [URL], deliver: (EmbeddedBatch) throws -> Bool) throws -> Bool {
        let ranges = stride(from: 0, to: files.count, by: batchSize).map { $0..<min($0 + batchSize, files.count) }
        guard !ranges.isEmpty else { return true }
        let preprocessor = BatchPreprocessor(preprocessing: preprocessing, decoder: decoder, threads: threads)
        let context = ComputeContext(threads: threads)
        var ahead = DecodeAhead(preprocessor: preprocessor, files: Array(files[ranges[0]]))
        for (k, range) in ranges.enumerated() {
            let (batch, secondsDecoding) = ahead.wait()
            if k + 1 < ranges.count { ahead = DecodeAhead(preprocessor: preprocessor, files: Array(files[ranges[k + 1]])) }
            let clock = Stopwatch()
            let embedded = forward(batch, offset: range.lowerBound, context: context)
            let result = EmbeddedBatch(range: range, embedded: embedded.indices, rows: embedded.rows, width: model.embeddingWidth,
                                       failures: batch.failures.map { (range.lowerBound + $0.index, $0.error.reason) },
                                       warnings: batch.warnings.map { (range.lowerBound + $0.index, $0.warnings.map(\.description).joined(separator: "; ")) },
                                       sizes: Dictionary(uniqueKeysWithValues: batch.sizes.enumerated().compactMap { i, s in s.map { (range.lowerBound + i, $0) } }),
                                       secondsDecoding: secondsDecoding, secondsForward: clock.seconds)
            guard try deliver(result) else {
                if k + 1 < ranges.count { _ = ahead.wait() }
                return false
            }
        }
        return true
    }

    /// The forward pass of the usable images of a decoded batch.
    func forward(_ batch: PreprocessedBatch, offset: Int, context: ComputeContext) -> (indices: [Int], rows: [Float]) {
        let failed = Set(batch.failures.map(\.index))
        let usable = (0..<batch.count).filter { !failed.contains($0) }
        guard !usable.isEmpty else { return ([], []) }
        let slot = 3 * batch.height * batch.width
        var values = [Float]()
        values.reserveCapacity(usable.count * slot)
        for i in usable { values += batch.values[(i * slot)..<((i + 1) * slot)] }
        let output = model.embedBatch(Tensor(shape: [usable.count, 3, batch.height, batch.width], values: values), context: context)
        return (usable.map { offset + $0 }, output.values)
    }

    /// Decodes every file and runs the model, keeping everything in memory (small collections,
    /// tests). Rows follow the input order; failures and warnings are listed by index.
    public func embedAll(_ files: [URL]) throws -> (embedded: [Int], rows: [Float], failures: [(index: Int, reason: String)]) {
        var embedded: [Int] = [], rows: [Float] = [], failures: [(index: Int, reason: String)] = []
        try run(files) { batch in
            embedded += batch.embedded
            rows += batch.rows
            failures += batch.failures
            return true
        }
        return (embedded, rows, failures)
    }
}

/// One batch being decoded on a background thread.
private struct DecodeAhead {
    private final class Slot: @unchecked Sendable {
        var batch: PreprocessedBatch?
        var seconds = 0.0
    }

    private let group = DispatchGroup()
    private let slot = Slot()

    init(preprocessor: BatchPreprocessor, files: [URL]) {
        let slot = self.slot
        DispatchQueue.global().async(group: group) {
            let clock = Stopwatch()
            slot.batch = preprocessor.load(files)
            slot.seconds = clock.seconds
        }
    }

    /// Blocks until the batch is decoded.
    func wait() -> (PreprocessedBatch, Double) {
        group.wait()
        // The closure always sets the batch before leaving the group.
        return (slot.batch ?? PreprocessedBatch(count: 0, height: 0, width: 0, values: [], failures: [], warnings: [], sizes: []), slot.seconds)
    }
}
