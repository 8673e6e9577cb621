/// Costs held in memory: a base matrix copied into the working matrix on every fill.
///
/// Use it to solve one instance for many `cal` values (the base holds `logit(p)` and each
/// fill adds `logit(cal)`), or for costs read from a file (`calDependent == false`).
public final class PrecomputedCostSource: CostMatrixSource {
    public let base: SymmetricCostMatrix
    public let range: SimilarityRange?
    /// The `logit(cal)` already contained in `base`, or nil when the costs do not depend on `cal`.
    public let baseOffset: Double?
    public var nodeCount: Int { base.nodeCount }

    public init(base: SymmetricCostMatrix, range: SimilarityRange?, baseOffset: Double?) {
        self.base = base
        self.range = range
        self.baseOffset = baseOffset
    }

    /// Computes `logit(p)` for every pair once, ready to be offset by any `cal`.
    public static func normalizedLogits(of source: EmbeddingCostSource, threads: Int) throws -> PrecomputedCostSource {
        let matrix = try SymmetricCostMatrix(nodeCount: source.nodeCount)
        let neutral = try CostFunction(cal: 0.5)  // logit(0.5) = 0
        let fill = try source.fill(matrix, costs: neutral, threads: threads)
        return PrecomputedCostSource(base: matrix, range: fill.range, baseOffset: 0)
    }

    public func fill(_ matrix: SymmetricCostMatrix, costs: CostFunction, threads: Int) throws -> CostFill {
        let n = nodeCount
        guard matrix.nodeCount == n else { throw FrameCutError.shapeMismatch("cost matrix has \(matrix.nodeCount) nodes, expected \(n)") }
        let delta = Float(baseOffset.map { costs.offset - $0 } ?? 0)
        let source = SendablePointer(base: base.values), target = SendablePointer(base: matrix.values)
        let total = parallelRowSum(rows: n, threads: threads) { i in
            let from = source.base + i * n, to = target.base + i * n
            for j in 0..<n { to[j] = from[j] + delta }
            to[i] = 0
            return Summation.sum(to + i + 1, count: n - i - 1)
        }
        return CostFill(range: range, totalCost: total)
    }
}
