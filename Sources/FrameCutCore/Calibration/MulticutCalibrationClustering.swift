/// The default `CalibrationClustering`: the dense multicut solver on one embedding set, with
/// `logit(p)` of every pair computed once (`PrecomputedCostSource`) so each `cal` of the grid
/// only adds `logit(cal)` before solving. `cluster(cal:)` may run on several threads at once
/// (each call solves in its own working matrix; the shared logits are only read).
public final class MulticutCalibrationClustering: CalibrationClustering, @unchecked Sendable {
    public let itemCount: Int
    /// Seconds spent computing the shared `logit(p)` matrix.
    public let secondsCosts: Double
    private let source: PrecomputedCostSource
    private let solver: DenseMulticutSolver

    /// Prepares the costs of `embeddings` (validated: at least 2 finite, non-zero rows).
    /// - Parameter concurrentSolves: how many solves will run at once (each needs a matrix).
    /// - Throws: `FrameCutError` for invalid embeddings or when the cost matrices would not
    ///   fit `options.memoryLimit`.
    public init(embeddings: Embeddings, options: MulticutOptions = MulticutOptions(), concurrentSolves: Int = 1) throws {
        try embeddings.validate()
        // The shared logits plus one working matrix per concurrent solve.
        let solves = max(1, concurrentSolves)
        try MemoryBudget.check(MemoryBudget.sum(SymmetricCostMatrix.byteCount(nodeCount: embeddings.count), MemoryBudget.times(UInt64(solves), DenseMulticutSolver.estimatedBytes(nodeCount: embeddings.count))),
                               limit: options.memoryLimit, what: "the cal ablation on \(embeddings.count) images (\(solves + 1) cost matrices)")
        let clock = Stopwatch()
        let costs = try EmbeddingCostSource(embeddings)
        source = try PrecomputedCostSource.normalizedLogits(of: costs, threads: options.threads)
        secondsCosts = clock.seconds
        solver = DenseMulticutSolver(options: options)
        itemCount = embeddings.count
    }

    public func cluster(cal: Double) throws -> CalibrationClusteringOutcome {
        let clock = Stopwatch()
        let solution = try solver.solve(source, costs: CostFunction(cal: cal))
        return CalibrationClusteringOutcome(labels: solution.labels, energy: solution.energy,
                                            energyGAEC: solution.energyGAEC, clustersGAEC: solution.clusterCountGAEC,
                                            seconds: clock.seconds)
    }
}
