/// The paper's costs with the label-free `cal` of its supplement (A.1):
/// `cal = 0.94 - 0.98 mu`, `mu` the mean normalised similarity over all pairs.
///
/// The first fill computes the cosines (one SYRK), their exact range, and `mu` from the summed
/// unit vectors (`sum_{i<j} s_ij = (|sum_i x_i|^2 - n) / 2`, in float64), then writes the costs.
public final class PaperHeuristicCostSource: CostMatrixSource {
    private let similarities: EmbeddingCostSource
    private let meanSimilarity: Double
    /// `mu`, the fitted `cal` and its cost function, known after the first fill.
    public private(set) var mu: Double?
    public private(set) var cost: CostFunction?

    public var nodeCount: Int { similarities.nodeCount }
    /// The similarity range, known after the first fill.
    public var range: SimilarityRange? { similarities.range }

    public init(_ embeddings: Embeddings) throws {
        similarities = try EmbeddingCostSource(embeddings)
        let unit = embeddings.normalizedFloat64()
        let n = embeddings.count, d = embeddings.dimension
        var sum = [Double](repeating: 0, count: d)
        for i in 0..<n { for c in 0..<d { sum[c] += unit[i * d + c] } }
        let squared = sum.reduce(0) { $0 + $1 * $1 }
        meanSimilarity = (squared - Double(n)) / (Double(n) * Double(n - 1))
    }

    public func fill(_ matrix: SymmetricCostMatrix, costs _: CostFunction, threads: Int) throws -> CostFill {
        guard matrix.nodeCount == nodeCount else { throw FrameCutError.shapeMismatch("cost matrix has \(matrix.nodeCount) nodes, embeddings \(nodeCount)") }
        if let cost { return try similarities.fill(matrix, costs: cost, threads: threads) }
        similarities.writeSimilarities(into: matrix, threads: threads)
        let range = similarities.range ?? similarities.exactRange(of: matrix, threads: threads)
        let mu = range.normalize(meanSimilarity)
        let fitted = try CostFunction(cal: CalHeuristic.cal(mu: mu))
        self.mu = mu
        self.cost = fitted
        similarities.range = range
        // The float32 similarities are already in place: transform them with the fitted cal.
        let total = SimilarityTransform.similaritiesToCosts(matrix, range: range, costs: fitted, threads: threads)
        matrix.mirrorUpperToLower(threads: threads)
        return CostFill(range: range, totalCost: total)
    }
}
