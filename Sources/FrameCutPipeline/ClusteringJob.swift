import Foundation
import FrameCutCore
import FrameCutIO

/// The clustering step shared by `framecut run` and `framecut cluster`: one embedding set, a
/// cost model (the label-free default, the paper's costs with a given `cal`, or the paper's
/// heuristic `cal`), the solver settings, and the choice between the dense and the large-scale
/// solver made from the memory budget (``MulticutSolverChoice``). It never allocates the
/// n² cost matrix unless the dense solver's estimate fits `solver.memoryLimit`.
public struct ClusteringJob: Sendable {
    public var costs: CostModel
    public var solver: MulticutOptions
    /// `auto` (dense when it fits the budget), `dense` or `large`.
    public var scale: MulticutSolverScale
    /// Large-scale solver: nearest neighbours per node (raised to the label-free model's
    /// neighbour count for its costs).
    public var k: Int

    public init(costs: CostModel, solver: MulticutOptions = MulticutOptions(), scale: MulticutSolverScale = .auto, k: Int = 32) {
        self.costs = costs
        self.solver = solver
        self.scale = scale
        self.k = k
    }

    /// The solver that ``run(_:mu:progress:)`` would choose for `count` rows of width
    /// `dimension`, decided before anything is computed.
    public func choice(count: Int, dimension: Int) -> MulticutSolverChoice {
        MulticutSolverChoice(requested: scale, count: count, dimension: dimension, k: effectiveK, threads: solver.threads,
                             memoryLimit: solver.memoryLimit)
    }

    /// The large-scale solver's `k` for these costs.
    public var effectiveK: Int {
        if case .fuzzyModularity(let neighbours, _) = costs { return Swift.max(k, neighbours) }
        return k
    }

    /// Refuses, before any work, when the chosen solver's memory estimate exceeds the budget
    /// (the large-scale one too, when the dense one does not fit).
    /// - Throws: `PipelineError.invalidOption` naming `--max-memory`, or `--knn` when `k` is below 1.
    public func checkBudget(count: Int, dimension: Int) throws {
        guard k >= 1 else { throw PipelineError.invalidOption(flag: "--knn", reason: "must be at least 1, got \(k)") }
        let chosen = choice(count: count, dimension: dimension)
        let needed: UInt64
        if chosen.scale == .dense {
            needed = DenseMulticutSolver.estimatedBytes(nodeCount: count)
        } else {
            let split = costs.name == CostModel.auto.name ? LargeScaleOptions.labelFreeSplitLimit : 0
            // The least the solver lowers its bounds to (`LargeScaleMulticutSolver.effectiveLimits`).
            let pair = solver.algorithm == .gaecKL ? LargeScaleOptions.reducedPairLimit : 0
            needed = LargeScaleMulticutSolver.estimatedBytes(count: count, dimension: dimension, k: effectiveK, threads: solver.threads,
                                                             splitLimit: split, pairLimit: pair, trackedLimit: 0)
        }
        guard needed <= solver.memoryLimit else {
            let which = chosen.scale == .dense ? "the dense solver" : "even the large-scale solver (k = \(effectiveK))"
            throw PipelineError.invalidOption(flag: "--max-memory", reason: "\(which) on \(count) images of dimension \(dimension) needs about \(MemoryBudget.format(needed)), more than the limit of \(MemoryBudget.format(solver.memoryLimit)) (raise --max-memory, or lower --knn)")
        }
    }

    /// Clusters `embeddings`.
    /// - Parameters:
    ///   - mu: the mean normalised similarity when the caller has it (`run` has the similarity
    ///     distribution): the paper's heuristic then uses it instead of computing it again.
    ///   - progress: the solver's stages; return false to cancel.
    public func run(_ embeddings: Embeddings, mu: Double? = nil,
                    progress: @escaping (MulticutStage) -> Bool = { _ in true }) throws -> ClusteringOutcome {
        try checkBudget(count: embeddings.count, dimension: embeddings.dimension)
        let outcome = try ScaledMulticutSolver(options: solver, scale: scale, k: k).solve(embeddings, model: costs, mu: mu, progress: progress)
        return ClusteringOutcome(solution: outcome.result.solution, costs: outcome.costs, cal: outcome.cal, choice: outcome.result.choice,
                                 solverName: outcome.result.solverName, largeScale: outcome.result.largeScale)
    }
}
