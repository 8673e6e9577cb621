/// FrameCut's label-free costs (``CostModel/fuzzyModularity(neighbours:resolution:)``) as a
/// ``PairCostModel`` for the large-scale solver: `w_ij = mu_ij - q_i q_j` with the fuzzy
/// neighbour graph built from streamed similarity blocks (no `n x n` matrix).
///
/// The decomposition is exact, with no fitted part: outside the fuzzy graph `mu_ij = 0`, so
/// every far pair costs `-q_i q_j` (``exactFarCost``: `e = -1` on the node features
/// `u_i = q_i`), and the summed cost between two clusters is their kNN residuals plus
/// `-Q_A Q_B`. With the solver's `k` at least ``neighbours`` every fuzzy edge is a kNN edge.
public struct FuzzyModularityPairCostModel: PairCostModel {
    public let neighbours: Int
    public let resolution: Double
    /// The neighbour graph and the per-pair costs, known after `prepare`.
    public private(set) var graph: FuzzyNeighbourGraph?
    public private(set) var costs: ModularityCosts?

    public var name: String { CostModel.auto.name }

    public init(neighbours: Int = FuzzyModularityCostSource.defaultNeighbours, resolution: Double = FuzzyModularityCostSource.defaultResolution) throws {
        guard neighbours >= 1 else { throw FrameCutError.invalidArgument("neighbours must be at least 1, got \(neighbours)") }
        guard resolution > 0, resolution.isFinite else { throw FrameCutError.invalidArgument("resolution must be positive, got \(resolution)") }
        self.neighbours = neighbours
        self.resolution = resolution
    }

    public mutating func prepare(_ embeddings: Embeddings, scanner: SimilarityScanner) throws -> [Float] {
        if graph == nil {
            let built = try FuzzyNeighbourGraph.build(scanner: scanner, neighbours: neighbours)
            graph = built
            costs = try ModularityCosts(degrees: built.degrees, resolution: resolution)
        }
        return scanner.vectors
    }

    /// The fuzzy graph's neighbours: the large-scale solver hands them over from its kNN pass.
    public var nearestNeighbourCount: Int? { graph == nil ? neighbours : nil }

    /// Builds the fuzzy graph from the solver's per-row lists (their first ``neighbours``
    /// entries: the same neighbours and distances `max(0, 1 - s)` as
    /// ``FuzzyNeighbourGraph/build(scanner:neighbours:)`` finds in a pass of its own).
    public mutating func setNearestNeighbours(_ lists: KNNGraph.RowNeighbours) throws {
        let n = lists.count
        guard n >= 2 else { throw FrameCutError.tooFewNodes(n) }
        let k = Swift.min(neighbours, n - 1)
        guard lists.k >= k else {
            throw FrameCutError.invalidArgument("fuzzy neighbour graph: \(lists.k) neighbours per row handed over, \(k) needed")
        }
        var nearest = [Int32](repeating: 0, count: n * k), distance = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            for t in 0..<k {
                nearest[i * k + t] = lists.indices[i * lists.k + t]
                distance[i * k + t] = Swift.max(0, 1 - Double(lists.values[i * lists.k + t]))
            }
        }
        let built = FuzzyNeighbourGraph.fromNearest(n: n, k: k, nearest: nearest, distance: distance)
        graph = built
        costs = try ModularityCosts(degrees: built.degrees, resolution: resolution)
    }

    /// `mu_ij` (0 when `{i, j}` is not in the fuzzy graph).
    @inline(__always)
    public func membership(_ i: Int, _ j: Int) -> Double {
        guard let graph else { return 0 }
        var lo = graph.offsets[i], hi = graph.offsets[i + 1]
        let target = Int32(j)
        while lo < hi {
            let mid = (lo + hi) / 2
            if graph.columns[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        return lo < graph.offsets[i + 1] && graph.columns[lo] == target ? graph.memberships[lo] : 0
    }

    @inline(__always)
    public func cost(similarity _: Double, i: Int, j: Int) -> Double {
        guard let costs else { return 0 }
        return costs.cost(i, j, membership: membership(i, j))
    }

    public func nodeFeature(_ i: Int) -> Double? { costs?.scaledDegrees[i] ?? 0 }

    public var exactFarCost: AffineCostFit? { AffineCostFit(a: 0, b: 0, c: 0, product: -1) }

    /// The rank-one part for the whole range, then the graph's entries of the row inside it.
    public func transformRow(_ values: UnsafeMutableBufferPointer<Float>, row: Int, firstColumn: Int) {
        guard let graph, let costs else {
            for t in 0..<values.count { values[t] = 0 }
            return
        }
        let q = costs.scaledDegrees, qi = q[row]
        for t in 0..<values.count { values[t] = Float(-qi * q[firstColumn + t]) }
        let end = firstColumn + values.count
        for e in graph.offsets[row]..<graph.offsets[row + 1] {
            let j = Int(graph.columns[e])
            if j >= firstColumn, j < end { values[j - firstColumn] = Float(graph.memberships[e] - qi * q[j]) }
        }
    }

    /// The model's name and parameters, with the same keys as the dense source's record.
    public var fitted: FittedCosts {
        var p: [String: Double] = ["neighbours": Double(neighbours), "resolution": resolution]
        if let g = graph {
            let n = Double(g.nodeCount)
            p["total_degree"] = g.totalDegree
            p["mean_degree"] = g.totalDegree / n
            p["edges"] = Double(g.edgeCount)
            p["mean_rho"] = g.rho.reduce(0, +) / n
            p["mean_sigma"] = g.sigma.reduce(0, +) / n
        }
        return FittedCosts(model: name, parameters: p)
    }
}
