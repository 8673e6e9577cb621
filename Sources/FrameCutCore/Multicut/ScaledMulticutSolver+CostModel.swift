extension ScaledMulticutSolver {
    /// A clustering under any ``CostModel`` and the record of the costs it used.
    public struct ModelResult: Sendable {
        public let result: Result
        /// The cost model's name and every parameter it used or fitted.
        public let costs: FittedCosts
        /// The paper's `cal` in use (given or fitted); nil for costs that have none.
        public var cal: Double? { costs.model.hasPrefix("paper") ? costs.parameters["cal"] : nil }
    }

    /// Clusters `embeddings` under `model`: the paper's costs with a given `cal` and the label-free
    /// costs on whichever solver the memory budget allows (the label-free ones with `k` raised to
    /// at least their neighbour count, so that their decomposition stays exact); the paper's
    /// heuristic on the dense matrix (asking for the large-scale solver with it is an error).
    public func solve(_ embeddings: Embeddings, model: CostModel,
                      progress: @escaping (MulticutStage) -> Bool = { _ in true }) throws -> ModelResult {
        if case .paper(let cal) = model {
            try embeddings.validate()
            let result = try solve(embeddings, costs: try CostFunction(cal: cal), progress: progress)
            var parameters = ["cal": cal]
            if let range = result.solution.range {
                parameters["similarity_min"] = range.min
                parameters["similarity_max"] = range.max
            }
            return ModelResult(result: result, costs: FittedCosts(model: model.name, parameters: parameters))
        }
        if case .fuzzyModularity(let neighbours, let resolution) = model {
            // Every fuzzy edge must be a kNN edge for the decomposition to be exact.
            let kLarge = Swift.max(k, neighbours)
            let choice = MulticutSolverChoice(requested: scale, count: embeddings.count, dimension: embeddings.dimension,
                                              k: kLarge, threads: options.threads, memoryLimit: options.memoryLimit)
            if choice.scale == .large {
                try embeddings.validate()
                let large = LargeScaleOptions(k: kLarge, algorithm: options.algorithm, threads: options.threads, memoryLimit: options.memoryLimit,
                                              splitLimit: LargeScaleOptions.labelFreeSplitLimit)
                var pairModel = try FuzzyModularityPairCostModel(neighbours: neighbours, resolution: resolution)
                let outcome = try LargeScaleMulticutSolver(options: large).solve(embeddings, model: pairModel, progress: progress, prepared: &pairModel)
                return ModelResult(result: Result(solution: outcome.solution, choice: choice, largeScale: outcome, choiceAlgorithm: options.algorithm.rawValue),
                                   costs: pairModel.fitted)
            }
        }
        guard scale != .large else {
            throw FrameCutError.invalidArgument("the large-scale solver takes the paper's costs with a given cal or the label-free costs; \(model.name) costs run on the dense matrix")
        }
        let source = try model.source(for: embeddings)
        // The source carries its own costs; the cost function argument is not used by it.
        let solution = try DenseMulticutSolver(options: options).solve(source, costs: try CostFunction(cal: 0.5), progress: progress)
        let choice = MulticutSolverChoice(scale: .dense, reason: "dense solver: \(model.name) costs run on the dense matrix")
        return ModelResult(result: Result(solution: solution, choice: choice, largeScale: nil, choiceAlgorithm: options.algorithm.rawValue),
                           costs: source.fitted)
    }
}
