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
    /// Width and height of each decoded image before preprocessing (nil for failures).
    public var sizes: [(width: Int, height: Int)?]
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
        let outcomes = ParallelWork.map(count: files.count, threads: threads, shouldContinue: { !counter.cancelled }) { i -> Result<(warnings: [DecodeWarning], width: Int, height: Int), ImageIOError> in
            defer { counter.tick() }
            do throws(ImageIOError) {
                let decoded = try decoder.decode(contentsOf: files[i])
                storage.write(at: i * slot, count: slot) { preprocessing.apply(decoded.image, into: $0) }
                return .success((decoded.warnings, decoded.image.width, decoded.image.height))
            } catch {
                return .failure(error)
            }
        }
        var failures: [(index: Int, error: ImageIOError)] = []
        var warnings: [(index: Int, warnings: [DecodeWarning])] = []
        var sizes: [(width: Int, height: Int)?] = Array(repeating: nil, count: files.count)
        for (i, outcome) in outcomes.enumerated() {
            switch outcome {
            case .none: failures.append((i, .cancelled(path: files[i].path)))
            case .some(.failure(let e)): failures.append((i, e))
            case .some(.success(let decoded)):
                sizes[i] = (decoded.width, decoded.height)
                if !decoded.warnings.isEmpty { warnings.append((i, decoded.warnings)) }
            }
        }
        return PreprocessedBatch(count: files.count, height: h, width: w, values: storage.values, failures: failures, warnings: warnings,
                                 sizes: sizes)
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
