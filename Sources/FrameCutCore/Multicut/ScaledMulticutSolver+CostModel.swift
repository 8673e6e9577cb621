extension ScaledMulticutSolver {
    /// A clustering under any ``CostModel`` and the record of the costs it used.
    public struct ModelResult: Sendable {
        public let result: Result
        /// The cost model's name and every parameter it used or fitted.
        public let costs: FittedCosts
        /// The paper's `cal` in use (given or fitted); nil for costs that have none.
        public var cal: Double? { costs.usesCal ? costs.parameters["cal"] : nil }
    }

    /// Clusters `embeddings` under `model` on whichever solver the memory budget allows:
    /// - the paper's costs with a given `cal` on either solver;
    /// - the paper's heuristic `cal = 0.94 - 0.98 mu`: with `mu` nil and the dense solver, `mu`
    ///   from the dense matrix (``PaperHeuristicCostSource``); otherwise `mu` as given, or from a
    ///   streamed pass over all pairs (O(nd) memory, ``SimilarityDistribution``), then the paper's
    ///   costs at that `cal` on the chosen solver;
    /// - the label-free costs with `k` raised to at least their neighbour count, so that their
    ///   decomposition stays exact.
    /// - Parameter mu: the mean normalised similarity when the caller already has it (the
    ///   heuristic only; ignored by the other models).
    public func solve(_ embeddings: Embeddings, model: CostModel, mu: Double? = nil,
                      progress: @escaping (MulticutStage) -> Bool = { _ in true }) throws -> ModelResult {
        switch model {
        case .paper(let cal):
            try embeddings.validate()
            return try paper(embeddings, cal: cal, model: model, extra: [:], progress: progress)
        case .paperHeuristic:
            guard k >= 1 else { throw FrameCutError.invalidArgument("k (nearest neighbours) must be at least 1, got \(k)") }
            try embeddings.validate()
            let choice = MulticutSolverChoice(requested: scale, count: embeddings.count, dimension: embeddings.dimension,
                                              k: k, threads: options.threads, memoryLimit: options.memoryLimit)
            if mu == nil, choice.scale == .dense { return try dense(embeddings, model: model, choice: choice, progress: progress) }
            let mean = try mu ?? Self.meanNormalizedSimilarity(embeddings, threads: options.threads)
            return try paper(embeddings, cal: CalHeuristic.cal(mu: mean), model: model, extra: ["mu": mean], progress: progress)
        case .fuzzyModularity(let neighbours, let resolution):
            // Every fuzzy edge must be a kNN edge for the decomposition to be exact.
            let kLarge = Swift.max(k, neighbours)
            let choice = MulticutSolverChoice(requested: scale, count: embeddings.count, dimension: embeddings.dimension,
                                              k: kLarge, threads: options.threads, memoryLimit: options.memoryLimit)
            guard choice.scale == .large else { return try dense(embeddings, model: model, choice: choice, progress: progress) }
            try embeddings.validate()
            let large = LargeScaleOptions(k: kLarge, algorithm: options.algorithm, threads: options.threads, memoryLimit: options.memoryLimit,
                                          splitLimit: LargeScaleOptions.labelFreeSplitLimit)
            var pairModel = try FuzzyModularityPairCostModel(neighbours: neighbours, resolution: resolution)
            let outcome = try LargeScaleMulticutSolver(options: large).solve(embeddings, model: pairModel, progress: progress, prepared: &pairModel)
            return ModelResult(result: Result(solution: outcome.solution, choice: choice, largeScale: outcome, choiceAlgorithm: options.algorithm.rawValue),
                               costs: pairModel.fitted)
        }
    }

    /// The paper's costs at `cal` on the chosen solver, recorded under `model`'s name.
    private func paper(_ embeddings: Embeddings, cal: Double, model: CostModel, extra: [String: Double],
                       progress: @escaping (MulticutStage) -> Bool) throws -> ModelResult {
        let result = try solve(embeddings, costs: try CostFunction(cal: cal), progress: progress)
        var parameters = extra
        parameters["cal"] = cal
        if let range = result.solution.range {
            parameters["similarity_min"] = range.min
            parameters["similarity_max"] = range.max
        }
        return ModelResult(result: result, costs: FittedCosts(model: model.name, parameters: parameters))
    }

    /// `model`'s own cost source on the dense matrix.
    private func dense(_ embeddings: Embeddings, model: CostModel, choice: MulticutSolverChoice,
                       progress: @escaping (MulticutStage) -> Bool) throws -> ModelResult {
        let source = try model.source(for: embeddings)
        // The source carries its own costs; the cost function argument is not used by it.
        let solution = try DenseMulticutSolver(options: options).solve(source, costs: try CostFunction(cal: 0.5), progress: progress)
        return ModelResult(result: Result(solution: solution, choice: choice, largeScale: nil, choiceAlgorithm: options.solverName),
                           costs: source.fitted)
    }

    /// The mean normalised cosine similarity over all pairs, streamed (no n² matrix).
    static func meanNormalizedSimilarity(_ embeddings: Embeddings, threads: Int) throws -> Double {
        var options = SimilarityDistributionOptions()
        options.threads = threads
        options.exactNormalizedHistogram = false
        options.kdePoints = 2
        return try SimilarityDistribution.compute(embeddings: embeddings.values, count: embeddings.count, dimension: embeddings.dimension,
                                                  options: options).mu
    }
}
