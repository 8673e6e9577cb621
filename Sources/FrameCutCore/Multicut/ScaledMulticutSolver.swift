/// Clusters an embedding set with the paper's costs on whichever solver the memory budget
/// allows (``MulticutSolverChoice``): the dense solver, or the large-scale one.
public struct ScaledMulticutSolver {
    public var options: MulticutOptions
    public var scale: MulticutSolverScale
    /// Nearest neighbours per node for the large-scale solver.
    public var k: Int

    /// The outcome: the clustering, the choice made, and for the large-scale solver its figures.
    public struct Result: Sendable {
        public let solution: MulticutSolution
        public let choice: MulticutSolverChoice
        public let largeScale: LargeScaleSolution?

        /// The solver as summaries record it: "gaec-kl" (dense) or "large-scale gaec-kl k=32".
        public var solverName: String {
            guard let largeScale else { return choiceAlgorithm }
            return "large-scale \(choiceAlgorithm) k=\(largeScale.k)"
        }

        let choiceAlgorithm: String
    }

    public init(options: MulticutOptions = MulticutOptions(), scale: MulticutSolverScale = .auto, k: Int = 32) {
        self.options = options
        self.scale = scale
        self.k = k
    }

    /// Chooses the solver for `embeddings` and runs it.
    public func solve(_ embeddings: Embeddings, costs: CostFunction,
                      progress: @escaping (MulticutStage) -> Bool = { _ in true }) throws -> Result {
        guard k >= 1 else { throw FrameCutError.invalidArgument("k (nearest neighbours) must be at least 1, got \(k)") }
        let choice = MulticutSolverChoice(requested: scale, count: embeddings.count, dimension: embeddings.dimension,
                                          k: k, threads: options.threads, memoryLimit: options.memoryLimit)
        if choice.scale == .dense {
            let source = try EmbeddingCostSource(embeddings)
            let solution = try DenseMulticutSolver(options: options).solve(source, costs: costs, progress: progress)
            return Result(solution: solution, choice: choice, largeScale: nil, choiceAlgorithm: options.solverName)
        }
        let large = LargeScaleOptions(k: k, algorithm: options.algorithm, threads: options.threads, memoryLimit: options.memoryLimit)
        let outcome = try LargeScaleMulticutSolver(options: large).solve(embeddings, model: PaperPairCostModel(costs: costs), progress: progress)
        return Result(solution: outcome.solution, choice: choice, largeScale: outcome, choiceAlgorithm: options.algorithm.rawValue)
    }
}
