import Foundation
import FrameCutCore
import FrameCutIO

/// A vision model that turns a batch of preprocessed images into embeddings.
public protocol ImageEmbeddingModel: Sendable {
    /// Stable identifier, e.g. "resnet50".
    var name: String { get }
    /// Width of one embedding.
    var embeddingWidth: Int { get }
    /// `N x 3 x H x W` in, `N x embeddingWidth` out.
    func embed(_ images: Tensor, context: ComputeContext) -> Tensor
    /// Class logits (`N x classes`), when the weights include the classifier head.
    func classify(_ images: Tensor, context: ComputeContext) -> Tensor?
    /// Whether `embedBatch` hands each thread a run of whole images in one call (the transformers,
    /// whose token-wise layers share one SGEMM over all images) rather than one image at a time.
    var embedsImageRuns: Bool { get }
}

extension ImageEmbeddingModel {
    public var embedsImageRuns: Bool { false }
}

extension ImageEmbeddingModel {
    /// `embed` for a batch of any size, spread over `context.threads` the cheapest way: with at
    /// least as many images as threads, whole images run one at a time per thread, concurrently
    /// (every layer's activations stay in that core's cache, and no layer waits for another
    /// thread); otherwise each layer is split across the threads. Layers cut their work independently of the thread count, so both ways give
    /// bit-identical results.
    public func embedBatch(_ images: Tensor, context: ComputeContext) -> Tensor {
        perImage(images, context: context) { embed($0, context: $1) } ?? embed(images, context: context)
    }

    /// `classify` spread over threads as `embedBatch` does; nil without a classifier head.
    public func classifyBatch(_ images: Tensor, context: ComputeContext) -> Tensor? {
        guard let probe = classify(images.slice(batch: 0..<min(1, images.batch)), context: ComputeContext()) else { return nil }
        if images.batch <= 1 { return probe }
        return perImage(images, context: context) { classify($0, context: $1) ?? probe } ?? classify(images, context: context)
    }

    /// Runs `body` on each image alone, images distributed over the threads; nil for one image or
    /// fewer images than threads (then layer-level splitting is the better use of them).
    private func perImage(_ images: Tensor, context: ComputeContext,
                          _ body: @escaping @Sendable (Tensor, ComputeContext) -> Tensor) -> Tensor? {
        let n = images.batch
        guard n > 1, n >= context.threads else { return nil }
        let single = ComputeContext(threads: 1, profile: context.profile)
        if embedsImageRuns {
            // One contiguous run of images per thread, each in one call.
            let workers = context.threads
            let runs = ParallelWork.map(count: workers, threads: workers) { w in
                body(images.slice(batch: (n * w / workers)..<(n * (w + 1) / workers)), single)
            }.compactMap { $0 }
            guard runs.count == workers, let first = runs.first else { return nil }
            var shape = first.shape
            shape[0] = n
            return Tensor(shape: shape, values: runs.flatMap(\.values))
        }
        let rows = ParallelWork.map(count: n, threads: context.threads) { i in body(images.slice(batch: i..<(i + 1)), single) }
            .compactMap { $0 }
        guard rows.count == n, let first = rows.first else { return nil }
        var shape = first.shape
        shape[0] = n
        return Tensor(shape: shape, values: rows.flatMap(\.values))
    }
}
