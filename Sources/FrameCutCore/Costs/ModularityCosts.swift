/// The per-pair costs of FrameCut's label-free default: the modularity matrix of the fuzzy
/// neighbour graph, `w_ij = mu_ij - gamma * k_i * k_j / 2m`.
///
/// Minimising the multicut energy with these costs maximises Newman's modularity at resolution
/// `gamma` (Veldt, Gleich and Wirth 2018, "LambdaCC": modularity is correlation clustering with
/// these weights), so the number of clusters follows from the data: a group is kept when its
/// neighbours are more strongly tied to each other than the degrees alone would predict.
///
/// The cost splits into an exact sparse part and a rank-one part, the form a large-scale solver
/// needs (issue 13): outside the neighbour graph `mu_ij = 0` and `w_ij = -q_i q_j` with
/// `q_i = k_i * sqrt(gamma / 2m)`, so the summed cost between two groups A and B is
/// `sum_{A x B} mu_ij - Q_A Q_B`, with `Q_A = sum_{i in A} q_i` kept per cluster.
public struct ModularityCosts: Sendable, Equatable {
    /// `gamma`: 1 is Newman's modularity.
    public let resolution: Double
    /// `2m = sum_i k_i`.
    public let totalDegree: Double
    /// `q_i = k_i * sqrt(gamma / 2m)`, the per-node factor of the rank-one part.
    public let scaledDegrees: [Double]

    public init(degrees: [Double], resolution: Double) throws {
        guard resolution > 0, resolution.isFinite else { throw FrameCutError.invalidArgument("resolution must be positive, got \(resolution)") }
        let total = degrees.reduce(0, +)
        guard total > 0 else { throw FrameCutError.invalidArgument("the neighbour graph has no edges") }
        self.resolution = resolution
        self.totalDegree = total
        let factor = (resolution / total).squareRoot()
        self.scaledDegrees = degrees.map { $0 * factor }
    }

    /// The cost of a pair outside the neighbour graph: `-q_i q_j`.
    @inline(__always)
    public func outsideCost(_ i: Int, _ j: Int) -> Double { -scaledDegrees[i] * scaledDegrees[j] }

    /// The cost of a pair with fuzzy membership `mu` (0 outside the graph).
    @inline(__always)
    public func cost(_ i: Int, _ j: Int, membership mu: Double) -> Double { mu + outsideCost(i, j) }

    /// The summed rank-one part over all pairs between two disjoint groups, from their sums of `q`.
    @inline(__always)
    public static func aggregateOutsideCost(scaledDegreeSumA a: Double, scaledDegreeSumB b: Double) -> Double { -a * b }
}
