import Foundation

/// How two labellings of the same items agree: entropies, conditional entropies, the
/// variation of information (VI), its normalised forms, the adjusted Rand index and purity.
///
/// `a` is typically a clustering and `b` the classes (or the clustering of another model).
public struct ClusteringComparison: Sendable, Equatable, Codable {
    /// Number of items.
    public let count: Int
    /// Number of clusters in A and in B.
    public let clustersA: Int
    public let clustersB: Int
    /// The logarithm base of every entropy below.
    public let base: LogBase
    /// H(A), H(B), H(A, B).
    public let entropyA: Double
    public let entropyB: Double
    public let jointEntropy: Double
    /// H(A | B) and H(B | A). With A = clusters and B = classes, `entropyAGivenB` is the
    /// paper's H(Cluster|Class) and `entropyBGivenA` its H(Class|Cluster).
    public let entropyAGivenB: Double
    public let entropyBGivenA: Double
    /// I(A; B).
    public let mutualInformation: Double
    /// VI(A, B) = H(A | B) + H(B | A).
    public let variationOfInformation: Double
    /// VI / ln(n) (Meila's bound; in [0, 1]); 0 when n = 1. Base independent.
    public let normalizedVI: Double
    /// VI / H(A, B) (in [0, 1], itself a metric); 0 when H(A, B) = 0. Base independent.
    public let jointNormalizedVI: Double
    /// Adjusted Rand index (scikit-learn's definition).
    public let adjustedRandIndex: Double
    /// Share of items in the majority B-cluster of their A-cluster (purity of A w.r.t. B).
    public let purityAWithRespectToB: Double
    /// Share of items in the majority A-cluster of their B-cluster.
    public let purityBWithRespectToA: Double

    /// Compares two labellings of the same items.
    /// - Throws: `MetricsError` when the labellings differ in length or are empty.
    public init(_ a: Labeling, _ b: Labeling, base: LogBase = .natural) throws {
        try self.init(table: ContingencyTable(a, b), base: base)
    }

    /// Scores an existing contingency table (rows A, columns B).
    public init(table t: ContingencyTable, base: LogBase = .natural) {
        count = t.total
        clustersA = t.rowCount
        clustersB = t.columnCount
        self.base = base
        let hA = t.rowEntropy, hB = t.columnEntropy, hAB = t.jointEntropy
        let hAgB = t.rowEntropyGivenColumn, hBgA = t.columnEntropyGivenRow
        let vi = hAgB + hBgA
        entropyA = base.fromNats(hA)
        entropyB = base.fromNats(hB)
        jointEntropy = base.fromNats(hAB)
        entropyAGivenB = base.fromNats(hAgB)
        entropyBGivenA = base.fromNats(hBgA)
        mutualInformation = base.fromNats(max(0, hA - hAgB))
        variationOfInformation = base.fromNats(vi)
        normalizedVI = t.total > 1 ? vi / log(Double(t.total)) : 0
        jointNormalizedVI = hAB > 0 ? vi / hAB : 0
        adjustedRandIndex = t.adjustedRandIndex
        purityAWithRespectToB = t.rowPurity
        purityBWithRespectToA = t.columnPurity
    }
}
