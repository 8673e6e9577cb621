/// Greedy additive edge contraction (GAEC) on a dense symmetric cost matrix.
///
/// Repeatedly contracts the pair of clusters with the largest summed cost while it is
/// positive; merging clusters adds their rows (sum linkage). The matrix is overwritten with
/// cluster-to-cluster sums.
///
/// Each row caches its best partner, the exact cost to it, and an upper bound on every
/// other entry. A contraction updates the caches in one pass over the live rows and only
/// marks a row stale when the cost to its best partner falls below that bound; stale rows are
/// rescanned lazily, when they reach the top of a tournament tree over the row maxima. On
/// real embeddings, where a few clusters absorb most images, this avoids rescanning every
/// row after every contraction.
public struct DenseGreedyAdditiveContraction {
    public init() {}

    /// The result of a run: a cluster representative per node and the summed cost of all contracted pairs.
    public struct Outcome: Sendable {
        /// Representative node of each node's cluster.
        public let representatives: [Int32]
        /// Sum of the costs of the contracted edges (the energy decrease from the all-cut labelling).
        public let contractedCost: Double
        public let contractions: Int
        /// Stale rows rescanned (a measure of work).
        public let rescans: Int
    }


    public func run(_ matrix: SymmetricCostMatrix, shouldCancel: () -> Bool = { false }) throws -> Outcome {
        let n = matrix.nodeCount
        let m = matrix.values
        let ninf = -Float.infinity
        for i in 0..<n { m[i * n + i] = ninf }

        var parent = [Int32](0..<Int32(n))
        var best = [Int32](repeating: -1, count: n)
        var bestValue = [Float](repeating: ninf, count: n)
        var bound = [Float](repeating: ninf, count: n)
        var keys = [Float](repeating: ninf, count: n)
        var active = [Int32](0..<Int32(n))
        var position = [Int32](0..<Int32(n))

        // Top-2 scan of every row.
        best.withUnsafeMutableBufferPointer { b in
            bestValue.withUnsafeMutableBufferPointer { bv in
                bound.withUnsafeMutableBufferPointer { bd in
                    let pb = SendablePointer(base: b.baseAddress!), pv = SendablePointer(base: bv.baseAddress!), pd = SendablePointer(base: bd.baseAddress!)
                    let mp = SendablePointer(base: m)
                    parallelFor(chunks: 32, threads: 2) { c in
                        var i = c
                        while i < n {
                            let (index, first, second) = DenseGreedyAdditiveContraction.topTwo(mp.base + i * n, count: n)
                            pb.base[i] = Int32(index)
                            pv.base[i] = first
                            pd.base[i] = second
                            i += 32
                        }
                    }
                }
            }
        }
        for i in 0..<n { keys[i] = bestValue[i] }

        var contracted = 0.0
        var contractions = 0
        var rescans = 0
        try keys.withUnsafeMutableBufferPointer { keyBuffer in
            let key = keyBuffer.baseAddress!
            var tree = TournamentTree(keys: key, count: n)
            while true {
                let i = tree.top
                let k = key[i]
                guard k > 0 else { break }
                if bestValue[i] < bound[i] {
                    // Stale: the cached best fell below the bound on the others. Rescan.
                    let (index, first, second) = DenseGreedyAdditiveContraction.topTwo(m + i * n, count: n)
                    best[i] = Int32(index)
                    bestValue[i] = first
                    bound[i] = second
                    key[i] = first
                    tree.update(i)
                    rescans += 1
                    continue
                }
                if contractions & 1023 == 0, shouldCancel() { throw FrameCutError.cancelled }
                let j = Int(best[i])
                let a = Swift.min(i, j), b = Swift.max(i, j)
                contracted += Double(k)
                contractions += 1
                parent[b] = Int32(a)

                // Row a becomes the sum of rows a and b (entries a and b become -inf by themselves).
                let rowA = m + a * n, rowB = m + b * n
                for x in 0..<n { rowA[x] += rowB[x] }
                rowA[a] = ninf
                rowA[b] = ninf

                // b leaves the live set.
                let pb = Int(position[b]), last = active[active.count - 1]
                active[pb] = last
                position[Int(last)] = Int32(pb)
                active.removeLast()
                key[b] = ninf
                tree.update(b)

                // Column a of every live row, and row a's own top two, in one pass.
                var topIndex = -1
                var topValue = ninf, secondValue = ninf
                for t in 0..<active.count {
                    let r = Int(active[t])
                    if r == a { continue }
                    let v = rowA[r]
                    let rowR = m + r * n
                    rowR[a] = v
                    rowR[b] = ninf
                    if v > topValue || (v == topValue && r < topIndex) {
                        secondValue = topValue
                        topValue = v
                        topIndex = r
                    } else if v > secondValue {
                        secondValue = v
                    }
                    let partner = best[r]
                    if partner == Int32(a) || partner == Int32(b) {
                        best[r] = Int32(a)
                        bestValue[r] = v
                    } else if v > bestValue[r] {
                        bound[r] = Swift.max(bound[r], bestValue[r])
                        best[r] = Int32(a)
                        bestValue[r] = v
                    } else if v > bound[r] {
                        bound[r] = v
                    }
                    let newKey = Swift.max(bestValue[r], bound[r])
                    if newKey != key[r] {
                        key[r] = newKey
                        tree.update(r)
                    }
                }
                best[a] = Int32(topIndex)
                bestValue[a] = topValue
                bound[a] = secondValue
                key[a] = topValue
                tree.update(a)
            }
        }

        // Resolve representatives (parents always have smaller indices).
        for i in 0..<n {
            let p = Int(parent[i])
            if p != i { parent[i] = parent[p] }
        }
        return Outcome(representatives: parent, contractedCost: contracted, contractions: contractions, rescans: rescans)
    }

    /// Index and value of the largest entry (lowest index on ties) and the second largest value.
    @inline(__always)
    static func topTwo(_ row: UnsafeMutablePointer<Float>, count: Int) -> (Int, Float, Float) {
        var index = -1
        var first = -Float.infinity, second = -Float.infinity
        for x in 0..<count {
            let v = row[x]
            if v > second {
                if v > first {
                    second = first
                    first = v
                    index = x
                } else {
                    second = v
                }
            }
        }
        return (index, first, second)
    }
}
