/// The paper's costs as a ``PairCostModel``: `w = logit(clip(p)) + logit(clip(cal))` with
/// `p = (s - min) / (max - min)`, `s` the cosine, and `min`, `max` the exact extremes over
/// all pairs, found by a streamed blocked GEMM (float32) and rechecked in float64 for every
/// pair within `1e-5` of the float32 extremes, as ``EmbeddingCostSource`` does on the matrix.
public struct PaperPairCostModel: PairCostModel {
    public let costs: CostFunction
    /// The exact similarity range, known after `prepare`.
    public private(set) var range: SimilarityRange?

    public var name: String { "paper" }

    public init(costs: CostFunction, range: SimilarityRange? = nil) {
        self.costs = costs
        self.range = range
    }

    public mutating func prepare(_ embeddings: Embeddings, scanner: SimilarityScanner) throws -> [Float] {
        if range == nil { range = try scanner.exactRange(embeddings) }
        return scanner.vectors
    }

    /// True until the range is known: the large-scale solver finds it in its kNN pass.
    public var needsCosineRange: Bool { range == nil }

    public mutating func setCosineRange(_ range: SimilarityRange) { self.range = range }

    /// The paper's cost is a function of the cosine alone.
    public var costDependsOnSimilarityOnly: Bool { true }

    @inline(__always)
    public func cost(similarity: Double, i: Int, j: Int) -> Double {
        costs.cost(normalizedSimilarity: (range ?? SimilarityRange(min: -1, max: 1)).normalize(similarity))
    }

    public func transformRow(_ values: UnsafeMutableBufferPointer<Float>, row: Int, firstColumn: Int) {
        let r = range ?? SimilarityRange(min: -1, max: 1)
        let scale = r.max > r.min ? 1 / (r.max - r.min) : 0
        let lowest = r.min, offset = costs.offset, eps = CostFunction.clipEpsilon
        for t in 0..<values.count {
            var p = (Double(values[t]) - lowest) * scale
            p = scale > 0 ? p : 0.5
            p = Swift.min(Swift.max(p, eps), 1 - eps)
            values[t] = Float(FastLog.log(p / (1 - p)) + offset)
        }
    }
}
