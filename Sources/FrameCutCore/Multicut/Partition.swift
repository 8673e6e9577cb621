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
        let chunks = 32
        var partial = [Double](repeating: 0, count: chunks)
        let m = SendablePointer(base: matrix.values)
        labels.withUnsafeBufferPointer { lb in
            let l = lb.baseAddress!
            let lp = SendablePointer(base: UnsafeMutablePointer(mutating: l))
            partial.withUnsafeMutableBufferPointer { sums in
                let s = SendablePointer(base: sums.baseAddress!)
                parallelFor(chunks: chunks, threads: threads) { c in
                    var total = 0.0
                    var i = c
                    while i < n {
                        let row = m.base + i * n
                        let li = lp.base[i]
                        var rowTotal: Double = 0
                        for j in (i + 1)..<Swift.max(i + 1, n) where lp.base[j] != li { rowTotal += Double(row[j]) }
                        total += rowTotal
                        i += chunks
                    }
                    s.base[c] = total
                }
            }
        }
        return partial.reduce(0, +)
    }
}
