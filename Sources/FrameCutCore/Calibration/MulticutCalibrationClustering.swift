/// The default `CalibrationClustering`: the dense multicut solver on one embedding set, with
/// `logit(p)` of every pair computed once (`PrecomputedCostSource`) so each `cal` of the grid
/// only adds `logit(cal)` before solving.
public final class MulticutCalibrationClustering: CalibrationClustering {
    public let itemCount: Int
    /// Seconds spent computing the shared `logit(p)` matrix.
    public let secondsCosts: Double
    private let source: PrecomputedCostSource
    private let solver: DenseMulticutSolver

    /// Prepares the costs of `embeddings` (validated: at least 2 finite, non-zero rows).
    /// - Throws: `FrameCutError` for invalid embeddings or when the cost matrices would not
    ///   fit `options.memoryLimit`.
    public init(embeddings: Embeddings, options: MulticutOptions = MulticutOptions()) throws {
        try embeddings.validate()
        // The shared logits plus the solver's working matrix.
        try MemoryBudget.check(SymmetricCostMatrix.byteCount(nodeCount: embeddings.count) + DenseMulticutSolver.estimatedBytes(nodeCount: embeddings.count),
                               limit: options.memoryLimit, what: "the cal ablation on \(embeddings.count) images (two cost matrices)")
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
