/// A set of embedding vectors, one row per image, in row-major order.
public struct Embeddings: Sendable, Equatable {
    /// Number of rows (images).
    public let count: Int
    /// Length of each row.
    public let dimension: Int
    /// `count * dimension` values, row after row.
    public let values: [Float]

    /// Creates an embedding set; the number of values must be `count * dimension`.
    public init(count: Int, dimension: Int, values: [Float]) throws {
        guard count >= 0, dimension > 0, values.count == count * dimension else {
            throw FrameCutError.shapeMismatch("embeddings: \(values.count) values do not form \(count) rows of \(dimension)")
        }
        self.count = count
        self.dimension = dimension
        self.values = values
    }

    /// Checks what the cosine similarity needs: at least two rows, finite values, no zero rows.
    public func validate() throws {
        guard count >= 2 else { throw FrameCutError.tooFewNodes(count) }
        try values.withUnsafeBufferPointer { v in
            for row in 0..<count {
                var norm = 0.0
                for column in 0..<dimension {
                    let x = v[row * dimension + column]
                    guard x.isFinite else { throw FrameCutError.nonFiniteValue(row: row, column: column) }
                    norm += Double(x) * Double(x)
                }
                guard norm > 0 else { throw FrameCutError.zeroNormRow(row) }
            }
        }
    }

    /// The rows scaled to unit length (norms computed in Float64), as Float32.
    public func normalizedFloat32() -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                for row in 0..<count {
                    let base = row * dimension
                    var norm = 0.0
                    for c in 0..<dimension { norm += Double(v[base + c]) * Double(v[base + c]) }
                    let scale = norm > 0 ? 1 / norm.squareRoot() : 0
                    for c in 0..<dimension { o[base + c] = Float(Double(v[base + c]) * scale) }
                }
            }
        }
        return out
    }

    /// The rows scaled to unit length, in Float64 (for exact reference computations).
    public func normalizedFloat64() -> [Double] {
        var out = [Double](repeating: 0, count: values.count)
        for row in 0..<count {
            let base = row * dimension
            var norm = 0.0
            for c in 0..<dimension { norm += Double(values[base + c]) * Double(values[base + c]) }
            let scale = norm > 0 ? 1 / norm.squareRoot() : 0
            for c in 0..<dimension { out[base + c] = Double(values[base + c]) * scale }
        }
        return out
    }
}
