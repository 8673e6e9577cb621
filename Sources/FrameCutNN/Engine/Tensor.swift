/// A dense float32 tensor in row-major order. Image activations are `N x C x H x W`
/// (NCHW: batch, channels, rows, columns; each channel a contiguous plane), feature vectors
/// `N x D`, and token sequences `N x T x D`. The engine keeps this one layout everywhere:
/// convolutions read NCHW planes directly (1x1) or through `im2col`, so no layout changes
/// happen between layers.
public struct Tensor: Sendable, Equatable {
    /// The size of each dimension, outermost first.
    public let shape: [Int]
    /// `shape.reduce(1, *)` values in row-major order.
    public var values: [Float]

    /// A tensor over `values`; `values.count` must equal the product of `shape`.
    public init(shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "Tensor: \(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// A tensor whose values `fill` writes (every value must be written).
    @inline(__always)
    init(shape: [Int], fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer)
            initialized = count
        }
    }

    public var count: Int { values.count }
    public var rank: Int { shape.count }

    // NCHW accessors (rank 4).
    public var batch: Int { shape[0] }
    public var channels: Int { shape[1] }
    public var height: Int { shape[2] }
    public var width: Int { shape[3] }

    /// The same values under another shape with the same element count (e.g. flatten).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, values: values)
    }

    /// `N x (C*H*W)`: torch `flatten(1)`.
    public func flattened() -> Tensor {
        reshaped([shape[0], count / max(shape[0], 1)])
    }

    /// Images `range` of the batch (the first dimension).
    public func slice(batch range: Range<Int>) -> Tensor {
        let per = count / max(shape[0], 1)
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, values: Array(values[(range.lowerBound * per)..<(range.upperBound * per)]))
    }
}
