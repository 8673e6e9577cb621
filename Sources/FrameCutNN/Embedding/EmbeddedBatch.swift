import Foundation

/// One batch of a `CollectionEmbedder` run: the rows of its usable images and what happened to
/// the others.
public struct EmbeddedBatch: Sendable {
    /// Indices (into the files given to `run`) of the batch.
    public let range: Range<Int>
    /// Indices of the images that have a row, in order.
    public let embedded: [Int]
    /// `embedded.count x width` float32 values, row-major.
    public let rows: [Float]
    public let width: Int
    /// Images that could not be decoded, with the reason.
    public let failures: [(index: Int, reason: String)]
    /// Images used with a decoder warning (truncated files are used as far as they decode).
    public let warnings: [(index: Int, reason: String)]
    /// Decoded size of every image that decoded.
    public let sizes: [Int: (width: Int, height: Int)]
    /// Wall time of decoding and preprocessing the batch (on worker threads, overlapping the
    /// previous batch's forward pass) and of its forward pass.
    public let secondsDecoding: Double
    public let secondsForward: Double

    /// Row `k` of `rows` (the embedding of image `embedded[k]`).
    public func row(_ k: Int) -> [Float] { Array(rows[(k * width)..<((k + 1) * width)]) }
}
