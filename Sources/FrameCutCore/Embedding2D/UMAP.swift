import CBLAS
import Foundation

/// UMAP (McInnes, Healy, Melville 2018) to two dimensions, after umap-learn 0.5's algorithm:
/// exact k nearest neighbours (blocked GEMM), the smooth-kNN binary search for each point's
/// `rho` and `sigma`, fuzzy membership strengths, the fuzzy union `P + Pᵀ - P∘Pᵀ`, spectral
/// (`SpectralLayout`, falling back to PCA when it does not converge) or PCA initialisation
/// scaled to [0, 10], and the SGD layout with negative sampling and the
/// `a`/`b` curve fitted for `minDist`. Single-threaded SGD with a seeded generator: the same
/// input and options give the same coordinates.
public struct UMAP: Sendable {
    public let options: UMAPOptions

    public init(options: UMAPOptions = UMAPOptions()) {
        self.options = options
    }

    /// The fuzzy graph: symmetric weighted edges (both directions listed), sorted by (head, tail).
    public struct Graph: Sendable, Equatable {
        public let heads: [Int32]
        public let tails: [Int32]
        public let weights: [Double]

        /// Edges `heads[e] - tails[e]` of weight `weights[e]` (equal counts; list both directions).
        public init(heads: [Int32], tails: [Int32], weights: [Double]) {
            self.heads = heads
            self.tails = tails
            self.weights = weights
        }
    }

    /// A layout and how it was initialised.
    public struct Layout: Sendable, Equatable {
        /// `[x0, y0, x1, y1, ...]`.
        public let coordinates: [Double]
        /// The initialisation used: `.pca` also when spectral was asked for and its eigenvector
        /// solve did not converge (`spectralFailed`).
        public let initialization: UMAPOptions.Initialization
        public let spectralFailed: Bool
    }

    /// Two coordinates per row of `values` (`count x dimension`, row-major): `[x0, y0, x1, y1, ...]`.
    public func embed(values: [Float], count: Int, dimension: Int) throws -> [Double] {
        try layout(values: values, count: count, dimension: dimension).coordinates
    }

    /// The layout of the rows of `values` (`count x dimension`, row-major), with the initialisation used.
    public func layout(values: [Float], count: Int, dimension: Int) throws -> Layout {
        try options.validate()
        guard count >= 3 else { throw MetricsError.tooFewItems(what: "UMAP points", needed: 3, actual: count) }
        guard values.count == count * dimension else { throw MetricsError.countMismatch(what: "UMAP values", expected: count * dimension, actual: values.count) }
        let k = min(options.neighbors, count)
        let knn = try NearestNeighbors(values: values, count: count, dimension: dimension, k: k, metric: options.metric, threads: options.threads)
        let graph = Self.fuzzyGraph(knn)
        let epochs = options.epochs ?? (count <= 10_000 ? 500 : 200)
        var generator = SeededGenerator(seed: options.seed)
        var initial: [Double]?
        if options.initialization == .spectral {
            // umap-learn lays out the graph after dropping edges below max / epochs.
            let floor = (graph.weights.max() ?? 0) / Double(epochs)
            let kept = graph.weights.indices.filter { graph.weights[$0] >= floor }
            let pruned = Graph(heads: kept.map { graph.heads[$0] }, tails: kept.map { graph.tails[$0] }, weights: kept.map { graph.weights[$0] })
            initial = SpectralLayout.layout(graph: pruned, count: count, values: values, dimension: dimension, metric: options.metric, generator: &generator)
        }
        let used: UMAPOptions.Initialization = initial == nil ? .pca : .spectral
        if initial == nil { initial = try Self.pcaCoordinates(values: values, count: count, dimension: dimension, metric: options.metric) }
        var layout = Self.noisyScaled(initial ?? [], count: count, generator: &generator)
        Self.optimize(&layout, graph: graph, count: count, epochs: epochs, curve: UMAPCurve(spread: options.spread, minDist: options.minDist),
                      options: options, generator: &generator)
        return Layout(coordinates: layout.map(Double.init), initialization: used,
                      spectralFailed: options.initialization == .spectral && used == .pca)
    }

    /// umap-learn's `smooth_knn_dist` + `compute_membership_strengths` + fuzzy union.
    public static func fuzzyGraph(_ knn: NearestNeighbors, localConnectivity: Double = 1) -> Graph {
        let n = knn.count, k = knn.k
        let target = log2(Double(k))
        var meanAll = 0.0
        for d in knn.distances { meanAll += Double(d) }
        meanAll /= Double(max(knn.distances.count, 1))
        var rho = [Double](repeating: 0, count: n), sigma = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let row = (0..<k).map { Double(knn.distances[i * k + $0]) }
            let nonZero = row.filter { $0 > 0 }
            let index = Int(localConnectivity.rounded(.down)), interpolation = localConnectivity - Double(index)
            if Double(nonZero.count) >= localConnectivity {
                if index > 0 {
                    rho[i] = nonZero[index - 1]
                    if interpolation > 1e-5, index < nonZero.count { rho[i] += interpolation * (nonZero[index] - nonZero[index - 1]) }
                } else if let first = nonZero.first {
                    rho[i] = interpolation * first
                }
            } else if let last = nonZero.max() {
                rho[i] = last
            }
            var lo = 0.0, hi = Double.infinity, mid = 1.0
            for _ in 0..<64 {
                var psum = 0.0
                for j in 1..<k {
                    let d = row[j] - rho[i]
                    psum += d > 0 ? exp(-(d / mid)) : 1
                }
                if abs(psum - target) < 1e-5 { break }
                if psum > target {
                    hi = mid
                    mid = (lo + hi) / 2
                } else {
                    lo = mid
                    mid = hi == .infinity ? mid * 2 : (lo + hi) / 2
                }
            }
            let meanRow = row.reduce(0, +) / Double(k)
            sigma[i] = max(mid, 1e-3 * (rho[i] > 0 ? meanRow : meanAll))
        }
        // Directed memberships, then the fuzzy union with the transpose.
        var directed: [Int: Double] = [:]
        directed.reserveCapacity(n * k)
        for i in 0..<n {
            for t in 0..<k {
                let j = Int(knn.indices[i * k + t])
                guard j >= 0, j != i else { continue }
                let d = Double(knn.distances[i * k + t])
                let value = (d - rho[i] <= 0 || sigma[i] == 0) ? 1 : exp(-(d - rho[i]) / sigma[i])
                directed[i * n + j] = value
            }
        }
        var union: [(Int, Int, Double)] = []
        union.reserveCapacity(directed.count * 2)
        for (key, p) in directed {
            let i = key / n, j = key % n
            let q = directed[j * n + i] ?? 0
            let w = p + q - p * q
            guard w > 0 else { continue }
            union.append((i, j, w))
            if q == 0 { union.append((j, i, w)) }
        }
        union.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        return Graph(heads: union.map { Int32($0.0) }, tails: union.map { Int32($0.1) }, weights: union.map(\.2))
    }

    /// PCA to two components (power iteration on the covariance).
    static func pcaCoordinates(values: [Float], count: Int, dimension: Int, metric: UMAPOptions.Metric) throws -> [Double] {
        var rows = values.map(Double.init)
        if metric == .cosine {
            for i in 0..<count {
                var s = 0.0
                for d in 0..<dimension { s += rows[i * dimension + d] * rows[i * dimension + d] }
                let inv = s > 0 ? 1 / s.squareRoot() : 0
                for d in 0..<dimension { rows[i * dimension + d] *= inv }
            }
        }
        var mean = [Double](repeating: 0, count: dimension)
        for i in 0..<count { for d in 0..<dimension { mean[d] += rows[i * dimension + d] } }
        for d in 0..<dimension { mean[d] /= Double(count) }
        for i in 0..<count { for d in 0..<dimension { rows[i * dimension + d] -= mean[d] } }
        var cov = [Double](repeating: 0, count: dimension * dimension)
        rows.withUnsafeBufferPointer { x in
            cov.withUnsafeMutableBufferPointer { c in
                guard let xb = x.baseAddress, let cb = c.baseAddress else { return }
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(dimension), Int32(dimension), Int32(count),
                            1, xb, Int32(dimension), xb, Int32(dimension), 0, cb, Int32(dimension))
            }
        }
        // Subspace iteration for the two leading eigenvectors, deterministic start.
        var v = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: 2)
        for d in 0..<dimension { v[0][d] = 1 + Double(d % 7) * 0.1; v[1][d] = (d % 2 == 0 ? 1 : -1) * (1 + Double(d % 5) * 0.1) }
        for _ in 0..<300 {
            var w = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: 2)
            for c in 0..<2 {
                for r in 0..<dimension {
                    var s = 0.0
                    for t in 0..<dimension { s += cov[r * dimension + t] * v[c][t] }
                    w[c][r] = s
                }
            }
            func normalize(_ x: inout [Double]) { let s = x.reduce(0) { $0 + $1 * $1 }.squareRoot(); if s > 0 { for t in x.indices { x[t] /= s } } }
            normalize(&w[0])
            let proj = zip(w[0], w[1]).reduce(0) { $0 + $1.0 * $1.1 }
            for t in 0..<dimension { w[1][t] -= proj * w[0][t] }
            normalize(&w[1])
            v = w
        }
        for c in 0..<2 {
            if let big = v[c].indices.max(by: { abs(v[c][$0]) < abs(v[c][$1]) }), v[c][big] < 0 { v[c] = v[c].map { -$0 } }
        }
        var coords = [Double](repeating: 0, count: count * 2)
        for i in 0..<count {
            for c in 0..<2 {
                var s = 0.0
                for d in 0..<dimension { s += rows[i * dimension + d] * v[c][d] }
                coords[i * 2 + c] = s
            }
        }
        return coords
    }

    /// umap-learn's `noisy_scale_coords` (scaled to |x| <= 10, noise of standard deviation
    /// 1e-4), then the rescaling of every initialisation to [0, 10] per axis.
    static func noisyScaled(_ coords: [Double], count: Int, generator: inout SeededGenerator) -> [Float] {
        var maxAbs = 0.0
        for x in coords { maxAbs = max(maxAbs, abs(x)) }
        let expansion = maxAbs > 0 ? 10 / maxAbs : 1
        var layout = [Float](repeating: 0, count: count * 2)
        for t in coords.indices { layout[t] = Float(coords[t] * expansion + 1e-4 * gaussian(&generator)) }
        for c in 0..<2 {
            var lo = Float.infinity, hi = -Float.infinity
            for i in 0..<count { lo = min(lo, layout[i * 2 + c]); hi = max(hi, layout[i * 2 + c]) }
            let span = hi > lo ? hi - lo : 1
            for i in 0..<count { layout[i * 2 + c] = 10 * (layout[i * 2 + c] - lo) / span }
        }
        return layout
    }

    static func gaussian(_ g: inout SeededGenerator) -> Double {
        let u1 = max(Double(g.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(g.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// umap-learn's `optimize_layout_euclidean` with `move_other`, single-threaded.
    static func optimize(_ layout: inout [Float], graph: Graph, count: Int, epochs: Int, curve: UMAPCurve, options: UMAPOptions,
                         generator: inout SeededGenerator) {
        guard let maxWeight = graph.weights.max(), maxWeight > 0 else { return }
        var heads: [Int] = [], tails: [Int] = [], perSample: [Double] = []
        for e in graph.weights.indices where graph.weights[e] >= maxWeight / Double(epochs) {
            heads.append(Int(graph.heads[e]))
            tails.append(Int(graph.tails[e]))
            perSample.append(Double(epochs) / (Double(epochs) * graph.weights[e] / maxWeight))
        }
        let rate = Double(options.negativeSampleRate)
        let perNegative = perSample.map { rate > 0 ? $0 / rate : .infinity }
        var nextNegative = perNegative, nextSample = perSample
        let a = Float(curve.a), b = Float(curve.b), gamma = Float(options.repulsionStrength)
        func clip(_ x: Float) -> Float { min(4, max(-4, x)) }
        var alpha = Float(options.learningRate)
        for n in 0..<epochs {
            let epoch = Double(n)
            for e in heads.indices where nextSample[e] <= epoch {
                let j = heads[e], k = tails[e]
                var dx = layout[j * 2] - layout[k * 2], dy = layout[j * 2 + 1] - layout[k * 2 + 1]
                var d2 = dx * dx + dy * dy
                if d2 > 0 {
                    let coeff = -2 * a * b * pow(d2, b - 1) / (a * pow(d2, b) + 1)
                    let gx = clip(coeff * dx) * alpha, gy = clip(coeff * dy) * alpha
                    layout[j * 2] += gx; layout[j * 2 + 1] += gy
                    layout[k * 2] -= gx; layout[k * 2 + 1] -= gy
                }
                nextSample[e] += perSample[e]
                let negatives = rate > 0 ? Int((epoch - nextNegative[e]) / perNegative[e]) : 0
                if negatives > 0 {
                    for _ in 0..<negatives {
                        let other = Int(generator.next() % UInt64(count))
                        dx = layout[j * 2] - layout[other * 2]
                        dy = layout[j * 2 + 1] - layout[other * 2 + 1]
                        d2 = dx * dx + dy * dy
                        if d2 > 0 {
                            let coeff = 2 * gamma * b / ((0.001 + d2) * (a * pow(d2, b) + 1))
                            layout[j * 2] += clip(coeff * dx) * alpha
                            layout[j * 2 + 1] += clip(coeff * dy) * alpha
                        }
                    }
                    nextNegative[e] += Double(negatives) * perNegative[e]
                }
            }
            alpha = Float(options.learningRate * (1 - Double(n) / Double(epochs)))
        }
    }
}
