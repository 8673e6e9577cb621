/// A modularity-maximisation instance of the literature whose optimum is known, used to measure
/// how far the dense solver stops from the optimum (`framecut bench multicut`, the tests).
///
/// Modularity maximisation is a multicut problem on the complete graph: with `m` edges, degrees
/// `k_i` and adjacency `A`, `Q = const + 2 sum_{i<j, same cluster} c_ij` with
/// `c_ij = A_ij / (2m) - k_i k_j / (2m)^2`, so maximising `Q` is minimising the summed cost of cut
/// pairs. The costs here are scaled by `(2m)^2` to the integers `2m A_ij - k_i k_j`, exact in float32.
public struct ModularityBenchmark: Sendable {
    public let name: String
    public let nodeCount: Int
    /// The best modularity known (proved optimal in the literature), rounded as published.
    public let knownOptimum: Double
    /// Clusters of the optimal partition.
    public let knownClusters: Int
    /// Where the graph and the optimum come from.
    public let reference: String
    /// Undirected edges as consecutive pairs of node indices.
    public let edgeList: [Int32]

    public init(name: String, nodeCount: Int, knownOptimum: Double, knownClusters: Int, reference: String, edgeList: [Int32]) {
        self.name = name
        self.nodeCount = nodeCount
        self.knownOptimum = knownOptimum
        self.knownClusters = knownClusters
        self.reference = reference
        self.edgeList = edgeList
    }

    /// Number of edges.
    public var edgeCount: Int { edgeList.count / 2 }

    /// Node degrees.
    public var degrees: [Int] {
        var k = [Int](repeating: 0, count: nodeCount)
        for e in edgeList { k[Int(e)] += 1 }
        return k
    }

    /// The scaled costs `2m A_ij - k_i k_j` as a cost source (they do not depend on `cal`).
    public func costSource() throws -> PrecomputedCostSource {
        let n = nodeCount
        guard n >= 2, edgeList.count % 2 == 0, edgeList.allSatisfy({ $0 >= 0 && Int($0) < n }) else {
            throw FrameCutError.invalidArgument("modularity instance '\(name)': bad node count or edge list")
        }
        let matrix = try SymmetricCostMatrix(nodeCount: n)
        let k = degrees
        let twoM = Float(2 * edgeCount)
        for i in 0..<n {
            for j in 0..<n { matrix[i, j] = i == j ? 0 : -Float(k[i] * k[j]) }
        }
        for e in stride(from: 0, to: edgeList.count, by: 2) {
            let a = Int(edgeList[e]), b = Int(edgeList[e + 1])
            guard a != b else { continue }
            matrix[a, b] += twoM
            matrix[b, a] += twoM
        }
        return PrecomputedCostSource(base: matrix, range: nil, baseOffset: nil)
    }

    /// The modularity of a labelling, in Float64 from the edges: `sum_c [L_c / m - (D_c / 2m)^2]`.
    public func modularity(of labels: [Int32]) throws -> Double {
        guard labels.count == nodeCount else { throw FrameCutError.labelCountMismatch(expected: nodeCount, found: labels.count) }
        var inside = [Int32: Double](), degree = [Int32: Double]()
        for e in stride(from: 0, to: edgeList.count, by: 2) {
            let a = Int(edgeList[e]), b = Int(edgeList[e + 1])
            degree[labels[a], default: 0] += 1
            degree[labels[b], default: 0] += 1
            if labels[a] == labels[b] { inside[labels[a], default: 0] += 1 }
        }
        let m = Double(edgeCount)
        var q = 0.0
        for c in Set(labels).sorted() {
            let share = (degree[c] ?? 0) / (2 * m)
            q += (inside[c] ?? 0) / m - share * share
        }
        return q
    }
}
