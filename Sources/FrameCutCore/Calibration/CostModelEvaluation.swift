import Foundation

/// One cost model clustered on one labelled embedding set and scored against the classes:
/// what `framecut bench costs` prints per row.
public struct CostModelEvaluation: Sendable {
    public let model: CostModel
    public let fitted: FittedCosts
    public let clusters: Int
    /// Variation of information to the classes, in nats.
    public let variationOfInformation: Double
    public let adjustedRandIndex: Double
    /// Seconds of the whole solve (costs, GAEC, Kernighan-Lin).
    public let seconds: Double
    public let secondsCosts: Double

    /// Clusters `embeddings` with `model` and scores the result against `classes` (one per row).
    public static func run(_ model: CostModel, embeddings: Embeddings, classes: [Int32],
                           options: MulticutOptions) throws -> CostModelEvaluation {
        guard classes.count == embeddings.count else {
            throw FrameCutError.labelCountMismatch(expected: embeddings.count, found: classes.count)
        }
        let source = try model.source(for: embeddings)
        let solution = try DenseMulticutSolver(options: options).solve(source, costs: try CostFunction(cal: 0.5))
        let table = try ContingencyTable(Labeling(solution.labels.map(Int.init)), Labeling(classes.map(Int.init)))
        return CostModelEvaluation(model: model, fitted: source.fitted, clusters: solution.clusterCount,
                                   variationOfInformation: table.variationOfInformation,
                                   adjustedRandIndex: table.adjustedRandIndex,
                                   seconds: solution.secondsCosts + solution.secondsGAEC + solution.secondsKL,
                                   secondsCosts: solution.secondsCosts)
    }
}
