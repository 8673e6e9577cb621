/// Cross-clustering overlap (supplement Figures 15-17): for each cluster of clustering A, the
/// cluster of B that shares the most items with it, and which pairs are "alike".
///
/// Two clusters are *alike* when their intersection holds at least `threshold` (default 0.8)
/// of the items of each of them, i.e. `min(|a ∩ b| / |a|, |a ∩ b| / |b|) >= threshold`. For a
/// threshold above 0.5 an alike pair is each other's best match, so the relation is
/// symmetric and one-to-one.
public struct ClusterOverlap: Sendable, Equatable, Codable {
    /// The best match in B of one cluster of A.
    public struct Match: Sendable, Equatable, Codable {
        /// Dense cluster id in A and its size.
        public let clusterA: Int
        public let sizeA: Int
        /// Dense id in B of the cluster with the largest intersection (ties: smaller id), and its size.
        public let clusterB: Int
        public let sizeB: Int
        /// |a ∩ b|.
        public let intersection: Int
        /// |a ∩ b| / |a ∪ b|.
        public let jaccard: Double
        /// |a ∩ b| / |a|: the share of A's cluster that B's covers.
        public let coverageA: Double
        /// |a ∩ b| / |b|.
        public let coverageB: Double
        /// `min(coverageA, coverageB) >= threshold`.
        public let alike: Bool
        /// Item indices in both clusters (increasing).
        public let shared: [Int]
        /// Item indices only in A's cluster.
        public let onlyA: [Int]
        /// Item indices only in B's cluster.
        public let onlyB: [Int]
    }

    public let threshold: Double
    public let clustersA: Int
    public let clustersB: Int
    /// One match per cluster of A, ordered by decreasing intersection (ties: larger Jaccard,
    /// then cluster id of A).
    public let matches: [Match]
    /// Number of alike pairs.
    public let alikePairs: Int
    /// Share of items that lie in an alike pair's intersection.
    public let itemsInAlikePairsShare: Double

    /// Matches the clusters of `a` to those of `b` (two labellings of the same items).
    /// - Parameter includeMembers: list shared / one-sided members for every match (true) or
    ///   only for alike pairs (false), which keeps the result small for large clusterings.
    /// - Throws: `MetricsError` for labellings of different length, empty ones, or a
    ///   threshold outside (0, 1].
    public init(_ a: Labeling, _ b: Labeling, threshold: Double = 0.8, includeMembers: Bool = false) throws {
        guard threshold > 0 && threshold <= 1 else {
            throw MetricsError.invalidParameter(name: "threshold", value: threshold, reason: "must lie in (0, 1]")
        }
        let table = try ContingencyTable(a, b)
        self.threshold = threshold
        clustersA = table.rowCount
        clustersB = table.columnCount
        // Best column per row: cells are sorted by row then column, so the first maximum
        // wins ties with the smaller column id.
        var best = [ContingencyTable.Cell?](repeating: nil, count: table.rowCount)
        for c in table.cells where c.count > (best[c.row]?.count ?? 0) {
            best[c.row] = c
        }
        let membersA = a.members, membersB = b.members
        var matches: [Match] = []
        matches.reserveCapacity(table.rowCount)
        var alikeItems = 0, alike = 0
        for case let cell? in best {
            let sizeA = table.rowSums[cell.row], sizeB = table.columnSums[cell.column]
            let inter = cell.count
            let covA = Double(inter) / Double(sizeA), covB = Double(inter) / Double(sizeB)
            let isAlike = min(covA, covB) >= threshold
            if isAlike { alike += 1; alikeItems += inter }
            var shared: [Int] = [], onlyA: [Int] = [], onlyB: [Int] = []
            if isAlike || includeMembers {
                for i in membersA[cell.row] {
                    if Int(b.labels[i]) == cell.column { shared.append(i) } else { onlyA.append(i) }
                }
                onlyB = membersB[cell.column].filter { Int(a.labels[$0]) != cell.row }
            }
            matches.append(Match(
                clusterA: cell.row, sizeA: sizeA, clusterB: cell.column, sizeB: sizeB,
                intersection: inter, jaccard: Double(inter) / Double(sizeA + sizeB - inter),
                coverageA: covA, coverageB: covB, alike: isAlike,
                shared: shared, onlyA: onlyA, onlyB: onlyB))
        }
        self.matches = matches.sorted {
            ($0.intersection, $0.jaccard, -$0.clusterA) > ($1.intersection, $1.jaccard, -$1.clusterA)
        }
        alikePairs = alike
        itemsInAlikePairsShare = Double(alikeItems) / Double(table.total)
    }
}
