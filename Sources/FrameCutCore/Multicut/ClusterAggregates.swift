/// Per-cluster aggregates that give the affine part of the cost between two clusters in
/// O(d): sizes, summed vectors (float64) and summed node features, indexed by cluster slot
/// (`0..<n`; a slot is a cluster id, empty slots have size 0).
///
/// With the affine approximation `a + b s_ij + c (u_i + u_j)`, the summed cost between
/// clusters A and B is `a |A||B| + b <S_A, S_B> + c (|B| U_A + |A| U_B) + e U_A U_B` (the last term
/// only for models with an exact product part, ``AffineCostFit/product``; the dot product is
/// skipped when `b = 0`).
final class ClusterAggregates {
    let count: Int
    let dimension: Int
    var sizes: [Int]
    var features: [Double]
    let sums: UnsafeMutablePointer<Double>
    /// The vectors (float32, row-major) and the node features.
    let vectors: UnsafeBufferPointer<Float>
    let nodeFeatures: [Double]
    let fit: AffineCostFit

    /// Aggregates of the clusters given by `labels` (values in `0..<n`).
    init(labels: [Int32], vectors: UnsafeBufferPointer<Float>, dimension: Int, nodeFeatures: [Double], fit: AffineCostFit) {
        count = labels.count
        self.dimension = dimension
        self.vectors = vectors
        self.nodeFeatures = nodeFeatures
        self.fit = fit
        sizes = [Int](repeating: 0, count: count)
        features = [Double](repeating: 0, count: count)
        sums = .allocate(capacity: count * dimension)
        sums.initialize(repeating: 0, count: count * dimension)
        for v in 0..<count { add(node: v, to: Int(labels[v])) }
    }

    deinit { sums.deallocate() }

    /// Bytes held: the summed vectors and two arrays per slot.
    static func estimatedBytes(count: Int, dimension: Int) -> UInt64 {
        UInt64(count) * UInt64(dimension) * 8 + UInt64(count) * 16
    }

    func add(node v: Int, to cluster: Int) {
        sizes[cluster] += 1
        features[cluster] += nodeFeatures.isEmpty ? 0 : nodeFeatures[v]
        let s = sums + cluster * dimension, x = vectors.baseAddress! + v * dimension
        for t in 0..<dimension { s[t] += Double(x[t]) }
    }

    func remove(node v: Int, from cluster: Int) {
        sizes[cluster] -= 1
        features[cluster] -= nodeFeatures.isEmpty ? 0 : nodeFeatures[v]
        let s = sums + cluster * dimension, x = vectors.baseAddress! + v * dimension
        for t in 0..<dimension { s[t] -= Double(x[t]) }
        if sizes[cluster] == 0 {
            features[cluster] = 0
            for t in 0..<dimension { s[t] = 0 }
        }
    }

    /// Adds cluster `source` into `target` and empties `source`.
    func merge(_ source: Int, into target: Int) {
        sizes[target] += sizes[source]
        features[target] += features[source]
        let s = sums + target * dimension, o = sums + source * dimension
        for t in 0..<dimension { s[t] += o[t]; o[t] = 0 }
        sizes[source] = 0
        features[source] = 0
    }

    /// The affine part of the summed cost between clusters `p` and `q`.
    @inline(__always)
    func affine(_ p: Int, _ q: Int) -> Double {
        let x = sums + p * dimension, y = sums + q * dimension
        var d0 = 0.0, d1 = 0.0, d2 = 0.0, d3 = 0.0
        var t = fit.b == 0 ? dimension : 0
        while t + 4 <= dimension {
            d0 += x[t] * y[t]; d1 += x[t + 1] * y[t + 1]; d2 += x[t + 2] * y[t + 2]; d3 += x[t + 3] * y[t + 3]
            t += 4
        }
        while t < dimension { d0 += x[t] * y[t]; t += 1 }
        let np = Double(sizes[p]), nq = Double(sizes[q])
        return fit.a * np * nq + fit.b * ((d0 + d1) + (d2 + d3)) + fit.c * (nq * features[p] + np * features[q])
            + fit.product * features[p] * features[q]
    }

    /// The affine part of the summed cost between node `v` and the nodes of cluster `q`
    /// other than `v`.
    @inline(__always)
    func affine(node v: Int, cluster q: Int, member: Bool) -> Double {
        let x = vectors.baseAddress! + v * dimension, y = sums + q * dimension
        var d0 = 0.0, d1 = 0.0, self2 = 0.0
        let withDot = fit.b != 0
        var t = withDot ? 0 : dimension
        while t + 2 <= dimension {
            d0 += Double(x[t]) * y[t]; d1 += Double(x[t + 1]) * y[t + 1]
            t += 2
        }
        while t < dimension { d0 += Double(x[t]) * y[t]; t += 1 }
        var dot = d0 + d1
        var others = Double(sizes[q])
        let u = nodeFeatures.isEmpty ? 0 : nodeFeatures[v]
        var featureSum = features[q]
        if member {
            if withDot { for t in 0..<dimension { self2 += Double(x[t]) * Double(x[t]) } }
            dot -= self2
            others -= 1
            featureSum -= u
        }
        return fit.a * others + fit.b * dot + fit.c * (others * u + featureSum) + fit.product * u * featureSum
    }
}
