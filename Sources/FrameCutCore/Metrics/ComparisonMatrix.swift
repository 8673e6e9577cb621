import Dispatch

/// Pairwise agreement of several clusterings of the same items (supplement Figures 11, 13):
/// the VI matrix, with the normalised VI and the adjusted Rand index beside it.
public struct ComparisonMatrix: Sendable, Equatable, Codable {
    /// Number of clusterings.
    public let size: Int
    /// Logarithm base of `variationOfInformation`.
    public let base: LogBase
    /// `variationOfInformation[i][j]` = VI(i, j); symmetric, 0 on the diagonal.
    public let variationOfInformation: [[Double]]
    /// VI / ln(n).
    public let normalizedVI: [[Double]]
    /// Adjusted Rand index; symmetric, 1 on the diagonal.
    public let adjustedRandIndex: [[Double]]
    /// Number of clusters of each clustering.
    public let clusters: [Int]

    /// Compares every pair of clusterings (in parallel over pairs).
    /// - Throws: `MetricsError` when fewer than one clustering is given, or they differ in
    ///   length or are empty.
    public init(_ labelings: [Labeling], base: LogBase = .natural) throws {
        guard let first = labelings.first else { throw MetricsError.empty(what: "list of clusterings") }
        guard first.count > 0 else { throw MetricsError.empty(what: "clustering 0") }
        for (k, l) in labelings.enumerated() where l.count != first.count {
            throw MetricsError.countMismatch(what: "clustering \(k)", expected: first.count, actual: l.count)
        }
        let m = labelings.count
        size = m
        self.base = base
        clusters = labelings.map(\.clusterCount)
        let pairs: [(Int, Int)] = (0..<m).flatMap { i in ((i + 1)..<m).map { (i, $0) } }
        let results = UnsafeResultBuffer<ClusteringComparison>(count: pairs.count)
        DispatchQueue.concurrentPerform(iterations: pairs.count) { k in
            let (i, j) = pairs[k]
            // Same length and non-empty were checked above, so this cannot throw.
            results.store(k, try? ClusteringComparison(labelings[i], labelings[j], base: base))
        }
        var vi = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        var nvi = vi
        var ari = [[Double]](repeating: [Double](repeating: 1, count: m), count: m)
        for (k, (i, j)) in pairs.enumerated() {
            guard let c = results.value(k) else { throw MetricsError.empty(what: "clustering \(i)") }
            vi[i][j] = c.variationOfInformation; vi[j][i] = vi[i][j]
            nvi[i][j] = c.normalizedVI; nvi[j][i] = nvi[i][j]
            ari[i][j] = c.adjustedRandIndex; ari[j][i] = ari[i][j]
        }
        variationOfInformation = vi
        normalizedVI = nvi
        adjustedRandIndex = ari
    }
}

/// Slots written by distinct parallel iterations, read after they all finish.
final class UnsafeResultBuffer<T>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<T?>
    private let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil, count: max(count, 1))
    }
    deinit {
        slots.deinitialize(count: max(count, 1))
        slots.deallocate()
    }
    func store(_ k: Int, _ value: T?) { slots[k] = value }
    func value(_ k: Int) -> T? { slots[k] }
}
