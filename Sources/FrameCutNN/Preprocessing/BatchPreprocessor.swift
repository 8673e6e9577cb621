import Foundation
import FrameCutCore
import FrameCutIO

/// A batch of preprocessed images: `count x 3 x height x width` floats, one slot per input file
/// (slots of files that failed stay zero and are listed in `failures`).
public struct PreprocessedBatch: Sendable {
    public let count: Int
    public let height: Int
    public let width: Int
    public var values: [Float]
    /// Input index and why that file could not be used.
    public var failures: [(index: Int, error: ImageIOError)]
    /// Input index and the decoder's warnings (truncated files are used, with a warning).
    public var warnings: [(index: Int, warnings: [DecodeWarning])]
}

/// Decodes and preprocesses many files in parallel into one contiguous batch, for the
/// embedding step. Order follows the input; a bad file never stops the batch.
public struct BatchPreprocessor: Sendable {
    public var preprocessing: Preprocessing
    public var decoder: ImageDecoder
    public var threads: Int

    public init(preprocessing: Preprocessing, decoder: ImageDecoder = ImageDecoder(), threads: Int = ParallelWork.processorCount) {
        self.preprocessing = preprocessing
        self.decoder = decoder
        self.threads = threads
    }

    /// `progress(done, total)` may return false to stop; the files not yet started are then
    /// reported as `.cancelled` failures.
    public func load(_ files: [URL], progress: (@Sendable (Int, Int) -> Bool)? = nil) -> PreprocessedBatch {
        let h = preprocessing.cropHeight, w = preprocessing.cropWidth
        let slot = 3 * h * w
        let storage = BatchStorage(count: files.count * slot)
        let counter = ProgressCounter(total: files.count, callback: progress)
        let decoder = self.decoder, preprocessing = self.preprocessing
        let outcomes = ParallelWork.map(count: files.count, threads: threads, shouldContinue: { !counter.cancelled }) { i -> Result<[DecodeWarning], ImageIOError> in
            defer { counter.tick() }
            do throws(ImageIOError) {
                let decoded = try decoder.decode(contentsOf: files[i])
                storage.write(at: i * slot, count: slot) { preprocessing.apply(decoded.image, into: $0) }
                return .success(decoded.warnings)
            } catch {
                return .failure(error)
            }
        }
        var failures: [(index: Int, error: ImageIOError)] = []
        var warnings: [(index: Int, warnings: [DecodeWarning])] = []
        for (i, outcome) in outcomes.enumerated() {
            switch outcome {
            case .none: failures.append((i, .cancelled(path: files[i].path)))
            case .some(.failure(let e)): failures.append((i, e))
            case .some(.success(let w)) where !w.isEmpty: warnings.append((i, w))
            default: break
            }
        }
        return PreprocessedBatch(count: files.count, height: h, width: w, values: storage.values, failures: failures, warnings: warnings)
    }
}

/// The batch's float storage, allocated once; workers write disjoint slots through the pointer.
private final class BatchStorage: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Float>

    init(count: Int) {
        buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    var values: [Float] { Array(buffer) }

    func write(at offset: Int, count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        body(UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + count)]))
    }
}
