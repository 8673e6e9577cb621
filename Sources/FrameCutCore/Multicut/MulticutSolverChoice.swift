/// Which solver a clustering uses: the dense one (exact complete graph, 4n^2 bytes) or the
/// large-scale one (kNN graph + cluster aggregates, O(nk + nd) bytes).
public enum MulticutSolverScale: String, CaseIterable, Sendable, Codable {
    /// Dense when its memory estimate fits the budget, otherwise large-scale.
    case auto
    case dense
    case large
}

/// The decision between the dense and the large-scale solver, made from the memory budget.
public struct MulticutSolverChoice: Sendable, Equatable {
    /// The solver chosen (never `.auto`).
    public let scale: MulticutSolverScale
    /// Why, in one line ("dense: 1.5 GiB fits 21.6 GiB").
    public let reason: String

    /// A choice made for another reason than the budget (e.g. costs only the dense solver takes).
    public init(scale: MulticutSolverScale, reason: String) {
        self.scale = scale
        self.reason = reason
    }

    /// Decides for `count` nodes of dimension `dimension`. With `.auto`, dense when
    /// ``DenseMulticutSolver/estimatedBytes(nodeCount:)`` plus room for Kernighan-Lin fits
    /// `memoryLimit`, else large-scale; an explicit choice is kept.
    public init(requested: MulticutSolverScale, count: Int, dimension: Int, k: Int, threads: Int, memoryLimit: UInt64) {
        let dense = DenseMulticutSolver.estimatedBytes(nodeCount: count) + DenseKernighanLin.estimatedBytes(nodeCount: count, clusters: Swift.max(1, count / 100))
        let large = LargeScaleMulticutSolver.estimatedBytes(count: count, dimension: dimension, k: k, threads: threads)
        let budget = MemoryBudget.format(memoryLimit)
        switch requested {
        case .dense:
            scale = .dense
            reason = "dense solver (asked for): needs about \(MemoryBudget.format(dense)) of \(budget)"
        case .large:
            scale = .large
            reason = "large-scale solver (asked for), k = \(k): needs about \(MemoryBudget.format(large)) of \(budget)"
        case .auto:
            if dense <= memoryLimit {
                scale = .dense
                reason = "dense solver: the cost matrix (about \(MemoryBudget.format(dense))) fits \(budget)"
            } else {
                scale = .large
                reason = "large-scale solver, k = \(k): the dense matrix would need \(MemoryBudget.format(dense)) of \(budget); this needs about \(MemoryBudget.format(large))"
            }
        }
    }
}
