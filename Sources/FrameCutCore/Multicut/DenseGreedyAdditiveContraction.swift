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
///
/// With `savedRowLimit > 0` it also keeps what it needs to give the original costs back
/// (`Outcome.original`): a contraction writes only row `a` and column `a` of the surviving
/// cluster's representative `a`, so the first time a node becomes a representative its row
/// is saved. Restoring those rows and columns (and the diagonal) gives the matrix back bit
/// for bit, without computing the costs again.
public struct DenseGreedyAdditiveContraction {
    /// Up to how many representatives' rows are saved for `OriginalCosts.restore` (0: none).
    /// Past it the saved rows are dropped and `Outcome.original` is nil.
    public var savedRowLimit: Int

    public init(savedRowLimit: Int = 0) {
        self.savedRowLimit = savedRowLimit
    }

    /// Live rows from which a contraction's column pass is split between two threads.
    static let parallelThreshold = 4096

    /// The result of a run: a cluster representative per node and the summed cost of all contracted pairs.
    public struct Outcome: Sendable {
        /// Representative node of each node's cluster.
        public let representatives: [Int32]
        /// Sum of the costs of the contracted edges (the energy decrease from the all-cut labelling).
        public let contractedCost: Double
        public let contractions: Int
        /// Stale rows rescanned (a measure of work).
        public let rescans: Int
        /// What restores the original costs (nil without `savedRowLimit`, or past it).
        public let original: DenseOriginalCosts?
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

        var alive = [Bool](repeating: true, count: n)
        let saved = savedRowLimit > 0 ? DenseOriginalCosts(nodeCount: n, limit: Swift.min(savedRowLimit, n)) : nil

        // Top-2 scan of every row.
        best.withUnsafeMutableBufferPointer { b in
            bestValue.withUnsafeMutableBufferPointer { bv in
                bound.withUnsafeMutableBufferPointer { bd in
                    alive.withUnsafeBufferPointer { live in
                        let pb = SendablePointer(base: b.baseAddress!), pv = SendablePointer(base: bv.baseAddress!), pd = SendablePointer(base: bd.baseAddress!)
                        let mp = SendablePointer(base: m), everyone = SendablePointer(base: UnsafeMutablePointer(mutating: live.baseAddress!))
                        parallelFor(chunks: 32, threads: 2) { c in
                            var i = c
                            while i < n {
                                let (index, first, second) = DenseGreedyAdditiveContraction.topTwo(mp.base + i * n, count: n, alive: everyone.base)
                                pb.base[i] = Int32(index)
                                pv.base[i] = first
                                pd.base[i] = second
                                i += 32
                            }
                        }
                    }
                }
            }
        }
        for i in 0..<n { keys[i] = bestValue[i] }

        var contracted = 0.0
        var contractions = 0
        var rescans = 0
        var changed = [Int32](repeating: 0, count: n + 2)
        try keys.withUnsafeMutableBufferPointer { keyBuffer in
        try best.withUnsafeMutableBufferPointer { bestBuffer in
        try bestValue.withUnsafeMutableBufferPointer { bestValueBuffer in
        try bound.withUnsafeMutableBufferPointer { boundBuffer in
        try changed.withUnsafeMutableBufferPointer { changedBuffer in
            let key = keyBuffer.baseAddress!
            let state = RowState(best: bestBuffer.baseAddress!, bestValue: bestValueBuffer.baseAddress!,
                                 bound: boundBuffer.baseAddress!, key: key, changed: changedBuffer.baseAddress!)
            var tree = TournamentTree(keys: key, count: n)
            while true {
                let i = tree.top
                let k = key[i]
                guard k > 0 else { break }
                if state.bestValue[i] < state.bound[i] {
                    // Stale: the cached best fell below the bound on the others. Rescan.
                    let (index, first, second) = alive.withUnsafeBufferPointer {
                        DenseGreedyAdditiveContraction.topTwo(m + i * n, count: n, alive: $0.baseAddress!)
                    }
                    state.best[i] = Int32(index)
                    state.bestValue[i] = first
                    state.bound[i] = second
                    key[i] = first
                    tree.update(i)
                    rescans += 1
                    continue
                }
                if contractions & 1023 == 0, shouldCancel() { throw FrameCutError.cancelled }
                let j = Int(state.best[i])
                let a = Swift.min(i, j), b = Swift.max(i, j)
                contracted += Double(k)
                contractions += 1
                parent[b] = Int32(a)

                // Row a becomes the sum of rows a and b. Entries of dead clusters hold stale sums
                // and are never read: every scan checks `alive` or walks the live list.
                let rowA = m + a * n, rowB = m + b * n
                saved?.save(row: a, from: rowA)
                for x in 0..<n { rowA[x] += rowB[x] }

                // b leaves the live set.
                alive[b] = false
                let pb = Int(position[b]), last = active[active.count - 1]
                active[pb] = last
                position[Int(last)] = Int32(pb)
                active.removeLast()
                key[b] = ninf
                tree.update(b)

                // Column a of every live row, their caches, and row a's own top two, in one pass
                // over the live rows (split between threads on large instances).
                let (topIndex, topValue, secondValue, changedCount) = active.withUnsafeBufferPointer { live in
                    state.updateColumn(matrix: m, n: n, rowA: rowA, a: a, b: b, live: live,
                                      workers: live.count >= DenseGreedyAdditiveContraction.parallelThreshold ? 2 : 1)
                }
                for t in 0..<changedCount {
                    tree.update(Int(state.changed[t]))
                }
                state.best[a] = Int32(topIndex)
                state.bestValue[a] = topValue
                state.bound[a] = secondValue
                key[a] = topValue
                tree.update(a)
            }
        }
        }
        }
        }
        }

        // Resolve representatives (parents always have smaller indices).
        for i in 0..<n {
            let p = Int(parent[i])
            if p != i { parent[i] = parent[p] }
        }
        return Outcome(representatives: parent, contractedCost: contracted, contractions: contractions, rescans: rescans,
                       original: saved?.complete == true ? saved : nil)
    }

    /// Index and value of the largest entry of a live column (lowest index on ties) and the second largest value.
    @inline(__always)
    static func topTwo(_ row: UnsafeMutablePointer<Float>, count: Int, alive: UnsafePointer<Bool>) -> (Int, Float, Float) {
        var index = -1
        var first = -Float.infinity, second = -Float.infinity
        for x in 0..<count where alive[x] {
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

/// The per-row caches of GAEC, as raw pointers so that the live rows can be split between threads.
private struct RowState: @unchecked Sendable {
    let best: UnsafeMutablePointer<Int32>
    let bestValue: UnsafeMutablePointer<Float>
    let bound: UnsafeMutablePointer<Float>
    let key: UnsafeMutablePointer<Float>
    /// Rows whose key changed in the last update (first `count` entries, per worker in order).
    let changed: UnsafeMutablePointer<Int32>

    /// After merging b into a: writes column a of every live row, updates the row caches, and
    /// returns row a's top two and how many rows changed key (listed in `changed`).
    func updateColumn(matrix m: UnsafeMutablePointer<Float>, n: Int, rowA: UnsafeMutablePointer<Float>, a: Int, b: Int,
                      live: UnsafeBufferPointer<Int32>, workers: Int) -> (Int, Float, Float, Int) {
        let count = live.count
        let chunk = (count + workers - 1) / Swift.max(workers, 1)
        var results = [(Int, Float, Float, Int)](repeating: (-1, -.infinity, -.infinity, 0), count: workers)
        let matrix = SendablePointer(base: m), row = SendablePointer(base: rowA)
        let liveRows = SendablePointer(base: UnsafeMutablePointer(mutating: live.baseAddress!))
        results.withUnsafeMutableBufferPointer { out in
            let output = SendablePointer(base: out.baseAddress!)
            parallelFor(chunks: workers, threads: workers) { w in
                let start = w * chunk, end = Swift.min(count, start + chunk)
                var topIndex = -1
                var topValue = -Float.infinity, secondValue = -Float.infinity
                var changedCount = 0
                let changedBase = self.changed + start + w
                let a32 = Int32(a), b32 = Int32(b)
                var t = start
                while t < end {
                    let r = Int(liveRows.base[t])
                    t += 1
                    if r == a { continue }
                    let v = row.base[r]
                    matrix.base[r * n + a] = v
                    if v > topValue || (v == topValue && r < topIndex) {
                        secondValue = topValue
                        topValue = v
                        topIndex = r
                    } else if v > secondValue {
                        secondValue = v
                    }
                    let partner = best[r]
                    if partner == a32 || partner == b32 {
                        best[r] = a32
                        bestValue[r] = v
                    } else if v > bestValue[r] {
                        bound[r] = Swift.max(bound[r], bestValue[r])
                        best[r] = a32
                        bestValue[r] = v
                    } else if v > bound[r] {
                        bound[r] = v
                    }
                    let newKey = Swift.max(bestValue[r], bound[r])
                    if newKey != key[r] {
                        key[r] = newKey
                        changedBase[changedCount] = Int32(r)
                        changedCount += 1
                    }
                }
                output.base[w] = (topIndex, topValue, secondValue, changedCount)
            }
        }
        // Merge the workers' top twos (ties to the lower index) and compact the changed lists.
        var (topIndex, topValue, secondValue, total) = results[0]
        for w in 1..<workers {
            let (index, first, second, changedCount) = results[w]
            if first > topValue || (first == topValue && index >= 0 && index < topIndex) {
                secondValue = Swift.max(topValue, second)
                topValue = first
                topIndex = index
            } else {
                secondValue = Swift.max(secondValue, first)
            }
            let from = changed + w * chunk + w
            for t in 0..<changedCount { changed[total + t] = from[t] }
            total += changedCount
        }
        return (topIndex, topValue, secondValue, total)
    }
}
