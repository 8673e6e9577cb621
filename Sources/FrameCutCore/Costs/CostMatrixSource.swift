/// The outcome of filling a cost matrix.
public struct CostFill: Sendable {
    /// The similarity range used for min-max normalisation (nil for costs that did not come from similarities).
    public let range: SimilarityRange?
    /// Sum of all costs over pairs `i < j`, in Float64.
    public let totalCost: Double
}

/// Something that can write the full symmetric cost matrix of a multicut instance.
/// Filling may happen twice in one solve (GAEC destroys the matrix; Kernighan-Lin needs the
/// original costs), so sources either recompute or copy.
public protocol CostMatrixSource: AnyObject {
    /// Number of nodes.
    var nodeCount: Int { get }
    /// Writes `w_ij` for every `i != j` into `matrix` (both triangles) and 0 on the diagonal.
    func fill(_ matrix: SymmetricCostMatrix, costs: CostFunction, threads: Int) throws -> CostFill
}
