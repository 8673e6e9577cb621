/// A general weighted graph as an edge list, for multicut instances that are not complete.
/// Missing edges are simply absent: no edge, not repulsion.
public struct SparseGraph: Sendable {
    public let nodeCount: Int
    public let sources: [Int32]
    public let targets: [Int32]
    public let weights: [Double]
    /// Neighbours of each node with the edge cost, sorted by neighbour.
    public let adjacency: [[(node: Int32, weight: Double)]]

    public var edgeCount: Int { sources.count }

    /// Builds the graph; fails on node ids out of range, self-loops, duplicate edges, non-finite costs.
    public init(nodeCount: Int, sources: [Int32], targets: [Int32], weights: [Double]) throws {
        guard nodeCount >= 2 else { throw FrameCutError.tooFewNodes(nodeCount) }
        guard sources.count == targets.count, targets.count == weights.count else {
            throw FrameCutError.shapeMismatch("edge list arrays differ in length")
        }
        var adjacency = [[(node: Int32, weight: Double)]](repeating: [], count: nodeCount)
        for e in 0..<sources.count {
            let u = Int(sources[e]), v = Int(targets[e])
            guard u >= 0, u < nodeCount else { throw FrameCutError.nodeOutOfRange(node: u, nodeCount: nodeCount) }
            guard v >= 0, v < nodeCount else { throw FrameCutError.nodeOutOfRange(node: v, nodeCount: nodeCount) }
            guard u != v else { throw FrameCutError.invalidArgument("edge \(e): self-loop at node \(u)") }
            guard weights[e].isFinite else { throw FrameCutError.invalidArgument("edge \(e) (\(u), \(v)): cost is not finite") }
            adjacency[u].append((Int32(v), weights[e]))
            adjacency[v].append((Int32(u), weights[e]))
        }
        for u in 0..<nodeCount {
            adjacency[u].sort { $0.node < $1.node }
            if adjacency[u].count > 1 {
                for k in 1..<adjacency[u].count where adjacency[u][k].node == adjacency[u][k - 1].node {
                    throw FrameCutError.invalidArgument("duplicate edge between nodes \(u) and \(adjacency[u][k].node)")
                }
            }
        }
        self.nodeCount = nodeCount
        self.sources = sources
        self.targets = targets
        self.weights = weights
        self.adjacency = adjacency
    }

    /// Whether every pair of nodes has an edge.
    public var isComplete: Bool { edgeCount == nodeCount * (nodeCount - 1) / 2 }

    /// Energy of a labelling: the summed cost of edges whose ends are in different clusters.
    public func energy(of labels: [Int32]) throws -> Double {
        guard labels.count == nodeCount else { throw FrameCutError.labelCountMismatch(expected: nodeCount, found: labels.count) }
        var total = 0.0
        for e in 0..<edgeCount where labels[Int(sources[e])] != labels[Int(targets[e])] { total += weights[e] }
        return total
    }
}
