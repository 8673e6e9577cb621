/// The affine approximation `a + b s_ij + c (u_i + u_j)` of a ``PairCostModel``'s costs on
/// the pairs that are not k-nearest-neighbour edges, fitted by least squares on those pairs:
/// all of them when there are at most `maxSamples`, otherwise a deterministic uniform sample
/// (seeded), so each pair weighs as the non-neighbour pairs are distributed.
///
/// A model whose far-pair costs have an exact closed form gives it instead of a fit
/// (``PairCostModel/exactFarCost``); such a form may also carry a product term `e u_i u_j`
/// (the rank-one null model of modularity: `e = -1`, `u_i = q_i`), summed between two clusters
/// as `e U_A U_B`. The least-squares fit never sets it (`e = 0`).
public struct AffineCostFit: Sendable, Equatable {
    public let a: Double
    public let b: Double
    public let c: Double
    /// Coefficient `e` of the product term `e u_i u_j` (0 for fitted approximations).
    public let product: Double
    /// Pairs the fit used.
    public let samples: Int
    /// Root mean square residual of the fit on those pairs.
    public let rmsResidual: Double

    public init(a: Double, b: Double, c: Double = 0, product: Double = 0, samples: Int = 0, rmsResidual: Double = 0) {
        self.a = a
        self.b = b
        self.c = c
        self.product = product
        self.samples = samples
        self.rmsResidual = rmsResidual
    }

    /// The affine value for similarity `s` and summed node features `u_i + u_j`.
    @inline(__always)
    public func value(similarity s: Double, features u: Double) -> Double { a + b * s + c * u }

    /// The value for similarity `s` and the node features `u_i`, `u_j` (with the product term).
    @inline(__always)
    public func value(similarity s: Double, featureI ui: Double, featureJ uj: Double) -> Double { a + b * s + c * (ui + uj) + product * ui * uj }

    /// Fits the model's costs on the non-edges of `graph`.
    public static func fit<Model: PairCostModel>(model: Model, vectors: [Float], dimension d: Int, graph: KNNGraph,
                                                  maxSamples: Int = 400_000, seed: UInt64 = 0x5EED_C057) -> AffineCostFit {
        let n = graph.nodeCount
        let hasFeatures = model.nodeFeature(0) != nil
        // Normal equations of [1, s, u] in float64.
        var xtx = [[Double]](repeating: [0, 0, 0], count: 3)
        var xty = [0.0, 0.0, 0.0]
        var yy = 0.0
        var used = 0
        func add(_ i: Int, _ j: Int) {
            var s = 0.0
            let p = i * d, q = j * d
            for t in 0..<d { s += Double(vectors[p + t]) * Double(vectors[q + t]) }
            let u = hasFeatures ? (model.nodeFeature(i) ?? 0) + (model.nodeFeature(j) ?? 0) : 0
            let y = model.cost(similarity: s, i: i, j: j)
            let x = [1, s, u]
            for r in 0..<3 {
                for col in 0..<3 { xtx[r][col] += x[r] * x[col] }
                xty[r] += x[r] * y
            }
            yy += y * y
            used += 1
        }
        let pairs = n * (n - 1) / 2
        if pairs - graph.edgeCount <= maxSamples {
            for i in 0..<n { for j in (i + 1)..<n where !graph.contains(i, j) { add(i, j) } }
        } else {
            var random = SeededGenerator(seed: seed)
            var attempts = 0
            while used < maxSamples, attempts < 8 * maxSamples {
                attempts += 1
                let i = Int(random.next() % UInt64(n)), j = Int(random.next() % UInt64(n))
                if i == j || graph.contains(i, j) { continue }
                add(Swift.min(i, j), Swift.max(i, j))
            }
        }
        guard used > 0 else { return AffineCostFit(a: 0, b: 0, c: 0) }
        let size = hasFeatures ? 3 : 2
        guard let beta = solve(Array(xtx.prefix(size).map { Array($0.prefix(size)) }), Array(xty.prefix(size))) else {
            return AffineCostFit(a: xty[0] / Double(used), b: 0, c: 0, samples: used)
        }
        // Residual sum of squares from the normal equations: y'y - beta' X'y.
        var explained = 0.0
        for r in 0..<size { explained += beta[r] * xty[r] }
        let rms = (Swift.max(0, yy - explained) / Double(used)).squareRoot()
        return AffineCostFit(a: beta[0], b: beta[1], c: size == 3 ? beta[2] : 0, samples: used, rmsResidual: rms)
    }

    /// Gaussian elimination with partial pivoting; nil when singular.
    static func solve(_ matrix: [[Double]], _ rhs: [Double]) -> [Double]? {
        var m = matrix, y = rhs
        let size = y.count
        for col in 0..<size {
            var pivot = col
            for r in col..<size where abs(m[r][col]) > abs(m[pivot][col]) { pivot = r }
            guard abs(m[pivot][col]) > 1e-12 * Swift.max(1, abs(m[0][0])) else { return nil }
            m.swapAt(col, pivot); y.swapAt(col, pivot)
            for r in (col + 1)..<size {
                let f = m[r][col] / m[col][col]
                for cc in col..<size { m[r][cc] -= f * m[col][cc] }
                y[r] -= f * y[col]
            }
        }
        var x = [Double](repeating: 0, count: size)
        for r in stride(from: size - 1, through: 0, by: -1) {
            var s = y[r]
            for cc in (r + 1)..<size { s -= m[r][cc] * x[cc] }
            x[r] = s / m[r][r]
        }
        return x
    }
}
