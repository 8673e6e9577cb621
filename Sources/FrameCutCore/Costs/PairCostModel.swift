/// A cost model for the complete graph that the large-scale solver can use without storing it:
/// the cost of a pair is a function of the similarity `s_ij = <x_i, x_j>` of prepared vectors
/// (for FrameCut's paper costs the L2-normalised embeddings, so `s` is the cosine), and may
/// depend on the two nodes (per-node terms).
///
/// The large-scale solver evaluates `cost(similarity:i:j:)` exactly on the k-nearest-neighbour
/// pairs and approximates every other pair by the affine function
/// `a + b s_ij + c (u_i + u_j)` fitted on a sample (see ``AffineCostFit``), where `u_i` is
/// ``nodeFeature(_:)``. Sums of that affine part between two clusters follow from their sizes,
/// summed vectors and summed node features in O(d).
public protocol PairCostModel: Sendable {
    /// A short name for summaries ("paper", ...).
    var name: String { get }

    /// Prepares the model for one embedding set and returns the vectors whose dot products
    /// are the similarities `s_ij` (`count * dimension` values, row-major). Here the model may
    /// transform the rows (e.g. centre them) and gather statistics over all pairs through
    /// `scanner` (streamed, never storing `n^2` values).
    mutating func prepare(_ embeddings: Embeddings, scanner: SimilarityScanner) throws -> [Float]

    /// The exact cost of the pair `(i, j)` with similarity `similarity`. Positive attracts.
    func cost(similarity: Double, i: Int, j: Int) -> Double

    /// The per-node feature `u_i` of the affine approximation; nil when the model has none
    /// (then `c = 0`).
    func nodeFeature(_ i: Int) -> Double?

    /// The exact cost of every pair outside the kNN graph, when the model has one in the form
    /// `a + b s_ij + c (u_i + u_j) + e u_i u_j` (then the solver uses it instead of a fit and the
    /// cluster sums are exact); nil (the default) to fit the affine part on a sample.
    var exactFarCost: AffineCostFit? { get }

    /// Replaces similarities by costs in place for the pairs `(row, firstColumn + t)`,
    /// `t < values.count` (float32, as the dense matrix stores them). The default calls
    /// `cost(similarity:i:j:)` per pair; a model overrides it with a vectorised loop.
    func transformRow(_ values: UnsafeMutableBufferPointer<Float>, row: Int, firstColumn: Int)

    /// True when a pair's cost is a function of its similarity alone (not of `i`, `j`): then
    /// ``transformRow(_:row:firstColumn:)`` may be applied to any gathered row (the exact pair
    /// step does, for the union of two clusters). Default false.
    var costDependsOnSimilarityOnly: Bool { get }

    /// True when all `prepare` would scan for is the exact range of the cosine over all pairs
    /// (the paper's costs). The large-scale solver then finds that range in its kNN pass (one
    /// streamed pass instead of two) and hands it over with ``setCosineRange(_:)`` before
    /// calling `prepare`, which must then return the L2-normalised rows unchanged. Default false.
    var needsCosineRange: Bool { get }

    /// Receives the exact cosine range found by the solver (see ``needsCosineRange``). Default: ignored.
    mutating func setCosineRange(_ range: SimilarityRange)

    /// The number of nearest neighbours per row (on the L2-normalised rows, float32
    /// similarities, ties to the lower index) that `prepare` would scan for, or nil (the
    /// default). When set, the large-scale solver raises its `k` to at least this, takes the
    /// lists from its own kNN pass and hands them over with ``setNearestNeighbours(_:)`` before
    /// calling `prepare`, which must then return the L2-normalised rows unchanged: one streamed
    /// pass instead of two (the label-free costs' fuzzy neighbour graph).
    var nearestNeighbourCount: Int? { get }

    /// Receives every row's nearest neighbours (see ``nearestNeighbourCount``). Default: ignored.
    mutating func setNearestNeighbours(_ lists: KNNGraph.RowNeighbours) throws
}

extension PairCostModel {
    public func nodeFeature(_ i: Int) -> Double? { nil }

    public var exactFarCost: AffineCostFit? { nil }

    public var needsCosineRange: Bool { false }

    public var costDependsOnSimilarityOnly: Bool { false }

    public mutating func setCosineRange(_ range: SimilarityRange) {}

    public var nearestNeighbourCount: Int? { nil }

    public mutating func setNearestNeighbours(_ lists: KNNGraph.RowNeighbours) throws {}

    public func transformRow(_ values: UnsafeMutableBufferPointer<Float>, row: Int, firstColumn: Int) {
        for t in 0..<values.count {
            values[t] = Float(cost(similarity: Double(values[t]), i: row, j: firstColumn + t))
        }
    }
}
