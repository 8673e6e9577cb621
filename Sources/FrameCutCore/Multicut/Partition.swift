/// Helpers for labellings (one cluster id per node).
public enum Partition {
    /// Renumbers clusters 0, 1, ... by decreasing size; equal sizes are ordered by their
    /// smallest node. The result depends only on the partition, not on the input ids.
    public static func canonicalLabels<L: BinaryInteger>(_ labels: [L]) -> [Int32] {
        var firstSeen = [L: Int]()
        var sizes = [Int]()
        var compact = [Int](repeating: 0, count: labels.count)
        for (v, l) in labels.enumerated() {
            if let c = firstSeen[l] {
                compact[v] = c
                sizes[c] += 1
            } else {
                firstSeen[l] = sizes.count
                compact[v] = sizes.count
                sizes.append(1)
            }
        }
        // Clusters are numbered in order of first appearance, so index order is smallest-node order.
        let ranking = sizes.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        var rank = [Int32](repeating: 0, count: sizes.count)
        for (r, c) in ranking.enumerated() { rank[c] = Int32(r) }
        return compact.map { rank[$0] }
    }

    /// Number of distinct labels.
    public static func clusterCount<L: Hashable>(_ labels: [L]) -> Int { Set(labels).count }

    /// Cluster sizes, indexed by canonical label (largest first).
    public static func sizes(ofCanonical labels: [Int32]) -> [Int] {
        var sizes = [Int](repeating: 0, count: Int(labels.max() ?? -1) + 1)
        for l in labels { sizes[Int(l)] += 1 }
        return sizes
    }
}

/// The energy `E(y) = sum of w_ij over pairs in different clusters` on a filled dense matrix.
public enum DenseEnergy {
    public static func energy(_ matrix: SymmetricCostMatrix, labels: [Int32], threads: Int = 2) -> Double {
        let n = matrix.nodeCount
        let m = SendablePointer(base: matrix.values)
        return parallelRowSum(rows: n, threads: threads) { i in
            let row = m.base + i * n
            let li = labels[i]
            var total = 0.0
            for j in (i + 1)..<Swift.max(i + 1, n) where labels[j] != li { total += Double(row[j]) }
            return total
        }
    }
}
