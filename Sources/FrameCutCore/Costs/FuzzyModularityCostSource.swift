import Foundation

/// Costs of the label-free default (`--costs auto`): the modularity matrix of the fuzzy
/// neighbour graph of the embeddings (see ``FuzzyNeighbourGraph`` and ``ModularityCosts``).
///
/// The first fill computes all cosines with one SYRK (as the paper's costs do), builds the
/// neighbour graph from them, and writes the costs; later fills (the solver refills after GAEC)
/// reuse the graph and write the rank-one part plus the sparse memberships, without a SYRK.
public final class FuzzyModularityCostSource: CostMatrixSource {
    /// UMAP's default neighbourhood size (umap-learn `n_neighbors = 15`).
    public static let defaultNeighbours = 15
    /// Newman's modularity.
    public static let defaultResolution = 1.0

    public let neighbours: Int
    public let resolution: Double
    private let similarities: EmbeddingCostSource
    /// The neighbour graph, known after the first fill.
    public private(set) var graph: FuzzyNeighbourGraph?
    /// The per-pair costs, known after the first fill.
    public private(set) var costs: ModularityCosts?

    public var nodeCount: Int { similarities.nodeCount }

    public init(_ embeddings: Embeddings, neighbours: Int = defaultNeighbours, resolution: Double = defaultResolution) throws {
        guard neighbours >= 1 else { throw FrameCutError.invalidArgument("neighbours must be at least 1, got \(neighbours)") }
        guard resolution > 0, resolution.isFinite else { throw FrameCutError.invalidArgument("resolution must be positive, got \(resolution)") }
        similarities = try EmbeddingCostSource(embeddings)
        self.neighbours = neighbours
        self.resolution = resolution
    }

    /// Computes the neighbour graph and its costs without a solve (uses a temporary n x n matrix).
    public func fit(threads: Int) throws -> (FuzzyNeighbourGraph, ModularityCosts) {
        if let graph, let costs { return (graph, costs) }
        let matrix = try SymmetricCostMatrix(nodeCount: nodeCount)
        try fitGraph(using: matrix, threads: threads)
        guard let graph, let costs else { throw FrameCutError.invalidArgument("the neighbour graph could not be built") }
        return (graph, costs)
    }

    private func fitGraph(using matrix: SymmetricCostMatrix, threads: Int) throws {
        similarities.writeSimilarities(into: matrix, threads: threads)
        matrix.mirrorUpperToLower(threads: threads)
        let n = nodeCount
        let m = SendablePointer(base: matrix.values)
        let built = try FuzzyNeighbourGraph.build(nodeCount: n, neighbours: neighbours, threads: threads) { i in
            UnsafePointer(m.base + i * n)
        }
        graph = built
        costs = try ModularityCosts(degrees: built.degrees, resolution: resolution)
    }

    public func fill(_ matrix: SymmetricCostMatrix, costs _: CostFunction, threads: Int) throws -> CostFill {
        let n = nodeCount
        guard matrix.nodeCount == n else { throw FrameCutError.shapeMismatch("cost matrix has \(matrix.nodeCount) nodes, embeddings \(n)") }
        if graph == nil { try fitGraph(using: matrix, threads: threads) }
        guard let graph, let costs else { throw FrameCutError.invalidArgument("the neighbour graph could not be built") }
        let q32 = costs.scaledDegrees.map { Float($0) }
        let total = q32.withUnsafeBufferPointer { qb in
            graph.offsets.withUnsafeBufferPointer { ob in
                graph.columns.withUnsafeBufferPointer { cb in
                    graph.memberships.withUnsafeBufferPointer { mb in
                        let q = SendablePointer(base: UnsafeMutablePointer(mutating: qb.baseAddress!))
                        let off = SendablePointer(base: UnsafeMutablePointer(mutating: ob.baseAddress!))
                        let col = SendablePointer(base: UnsafeMutablePointer(mutating: cb.baseAddress!))
                        let mem = SendablePointer(base: UnsafeMutablePointer(mutating: mb.baseAddress!))
                        let target = SendablePointer(base: matrix.values)
                        let exactQ = costs.scaledDegrees
                        return parallelRowSum(rows: n, threads: threads) { i in
                            let row = target.base + i * n
                            let qi = -q.base[i]
                            for j in 0..<n { row[j] = qi * q.base[j] }
                            row[i] = 0
                            for e in off.base[i]..<off.base[i + 1] {
                                let j = Int(col.base[e])
                                row[j] = Float(mem.base[e] - exactQ[i] * exactQ[j])
                            }
                            return Summation.sum(row, count: n)
                        }
                    }
                }
            }
        }
        return CostFill(range: nil, totalCost: total / 2)
    }
}
