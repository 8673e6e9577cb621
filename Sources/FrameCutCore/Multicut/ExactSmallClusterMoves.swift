import CBLAS

/// Exact node moves for the nodes where the affine approximation errs most: every node of a
/// small cluster (at most ``smallCluster`` nodes) and every node with a kNN neighbour in one
/// (the border of the large clusters), at most ``trackedLimit`` nodes (the smallest clusters'
/// first, then the border nodes with the most such neighbours). Each such node's *exact* summed cost to every cluster holding a tracked node is
/// computed once from its row of the similarity matrix (GEMM over all `n` columns, the model's
/// costs), and the tracked nodes' exact costs among themselves kept, so that after each move the
/// sums are updated exactly (only tracked nodes move). Sweeps in node order then move each
/// tracked node to the cluster, or a new cluster of its own, that lowers the complete graph's
/// exact energy most, until no move does. Every move lowers the exact energy.
///
/// On Fashion-MNIST 10k the approximate moves leave small clusters between large ones where the
/// exact sums disagree: a node whose 32 nearest neighbours all lie in a large cluster that
/// repels it overall may be attracted by a small cluster none of its neighbours is in, which
/// no kNN-restricted step sees.
///
/// Rows are computed in chunks of ``chunk`` spread over the threads, each chunk's GEMM
/// single-threaded and its sums written to its own rows; sweeps are sequential: the labels do
/// not depend on the thread count. Cost O(m n d) for m tracked nodes (m / n of a pass over the
/// similarity matrix); memory: the m x (clusters + 512) float64 sums, m² float32 costs, one chunk
/// of rows per thread (``estimatedBytes(count:threads:)``).
enum ExactSmallClusterMoves {
    /// Clusters of at most this many nodes have all their nodes tracked.
    static let smallCluster = 64
    /// Tracked nodes at most (the solver lowers it, halving, when the step's memory does not
    /// fit the limit: ``LargeScaleMulticutSolver/effectiveLimits(count:dimension:)``).
    static let trackedLimit = LargeScaleOptions.defaultTrackedLimit
    /// The smallest bound the solver lowers ``trackedLimit`` to before it turns the step off.
    static let minimumTrackedLimit = 256
    /// New clusters the moves may open at most.
    static let newClusterLimit = 512
    /// Rows per GEMM.
    static let chunk = 32
    /// Sweeps at most.
    static let maxSweeps = 32

    /// Bytes the step holds at its peak for `n` nodes and at most `limit` tracked ones (0: the step is off).
    static func estimatedBytes(count n: Int, threads: Int, limit: Int = trackedLimit) -> UInt64 {
        let m = UInt64(Swift.max(0, Swift.min(n, limit)))
        guard m > 0 else { return 0 }
        return m * (m + UInt64(newClusterLimit)) * 8 + m * m * 4 + UInt64(Swift.max(1, threads)) * UInt64(chunk) * UInt64(n) * 4 + UInt64(n) * 16
    }

    /// Returns the number of moves made. `labels` are cluster ids in `0..<n`; new clusters take
    /// ids from `free` and emptied ones return there; `aggregates` (when given) follow the moves.
    static func run<Model: PairCostModel>(labels: inout [Int32], free: inout [Int32], aggregates: ClusterAggregates?,
                                          graph: KNNGraph, model: Model, scanner: SimilarityScanner, threads: Int,
                                          limit: Int = trackedLimit) -> Int {
        let n = labels.count, d = scanner.dimension
        guard n >= 2, scanner.count == n, limit >= 1 else { return 0 }
        var sizes = [Int](repeating: 0, count: n)
        for l in labels { sizes[Int(l)] += 1 }
        // The tracked nodes: the small clusters' (smallest clusters first), then the border's.
        var small = (0..<n).filter { sizes[Int(labels[$0])] <= smallCluster }
        small.sort { (sizes[Int(labels[$0])], $0) < (sizes[Int(labels[$1])], $1) }
        var tracked = Array(small.prefix(limit))
        if tracked.count < limit {
            // Border nodes, those with the most kNN neighbours in small clusters first.
            var border: [(count: Int, node: Int)] = []
            for v in 0..<n where sizes[Int(labels[v])] > smallCluster {
                var count = 0
                for e in graph.offsets[v]..<graph.offsets[v + 1] where sizes[Int(labels[Int(graph.neighbors[e])])] <= smallCluster {
                    count += 1
                }
                if count > 0 { border.append((count, v)) }
            }
            border.sort { ($0.count, -$0.node) > ($1.count, -$1.node) }
            tracked += border.prefix(limit - tracked.count).map(\.node)
        }
        tracked.sort()
        let m = tracked.count
        guard m >= 1 else { return 0 }
        // Columns: the clusters holding a tracked node (by id), then room for new clusters.
        var columnOf = [Int32](repeating: -1, count: n)
        var clusterOf: [Int32] = []
        for v in tracked where columnOf[Int(labels[v])] < 0 {
            columnOf[Int(labels[v])] = 0
        }
        for c in 0..<n where columnOf[c] == 0 {
            columnOf[c] = Int32(clusterOf.count)
            clusterOf.append(Int32(c))
        }
        let columns = clusterOf.count + Swift.min(m, newClusterLimit)
        var trackedIndex = [Int32](repeating: -1, count: n)
        for (a, v) in tracked.enumerated() { trackedIndex[v] = Int32(a) }
        var sums = [Double](repeating: 0, count: m * columns)
        var between = [Float](repeating: 0, count: m * m)
        let rowChunks = (m + chunk - 1) / chunk
        let workers = Swift.min(Swift.max(1, threads), rowChunks)
        let labelsCopy = labels
        sums.withUnsafeMutableBufferPointer { sumsBuffer in
            between.withUnsafeMutableBufferPointer { betweenBuffer in
                scanner.vectors.withUnsafeBufferPointer { all in
                    guard let sumsBase = sumsBuffer.baseAddress, let betweenBase = betweenBuffer.baseAddress,
                          let allBase = all.baseAddress else { return }
                    let out = SendablePointer(base: sumsBase), pairs = SendablePointer(base: betweenBase)
                    let base = SendablePointer(base: UnsafeMutablePointer(mutating: allBase))
                    let context = UncheckedSendable((tracked, columnOf, trackedIndex, labelsCopy))
                    parallelFor(chunks: workers, threads: workers) { worker in
                        let (tracked, columnOf, trackedIndex, labels) = context.value
                        let rows = UnsafeMutablePointer<Float>.allocate(capacity: chunk * n)
                        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: chunk * d)
                        defer { rows.deallocate(); gathered.deallocate() }
                        var part = worker
                        while part < rowChunks {
                            let first = part * chunk, count = Swift.min(chunk, m - first)
                            for r in 0..<count {
                                (gathered + r * d).update(from: base.base + tracked[first + r] * d, count: d)
                            }
                            BLASThreads.run(threads: 1) {
                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(n), Int32(d),
                                            1, gathered, Int32(d), base.base, Int32(d), 0, rows, Int32(n))
                            }
                            for r in 0..<count {
                                let a = first + r, v = tracked[a]
                                let row = UnsafeMutableBufferPointer(start: rows + r * n, count: n)
                                model.transformRow(row, row: v, firstColumn: 0)
                                row[v] = 0
                                let sumRow = out.base + a * columns, pairRow = pairs.base + a * m
                                for j in 0..<n {
                                    let c = columnOf[Int(labels[j])]
                                    if c >= 0 { sumRow[Int(c)] += Double(row[j]) }
                                    let b = trackedIndex[j]
                                    if b >= 0 { pairRow[Int(b)] = row[j] }
                                }
                            }
                            part += workers
                        }
                    }
                }
            }
        }
        var columnSize = clusterOf.map { sizes[Int($0)] } + [Int](repeating: 0, count: columns - clusterOf.count)
        var home = tracked.map { Int(columnOf[Int(labels[$0])]) }
        var spareColumns: [Int] = []   // emptied columns, reused (with their ids) for new clusters first
        var nextColumn = clusterOf.count
        var moves = 0
        for _ in 0..<maxSweeps {
            var sweepMoves = 0
            for a in 0..<m {
                let h = home[a]
                let row = a * columns
                let stay = sums[row + h]
                var best = -1
                var bestGain = 1e-6
                for c in 0..<nextColumn where c != h && columnSize[c] > 0 {
                    let gain = sums[row + c] - stay
                    if gain > bestGain { best = c; bestGain = gain }
                }
                if columnSize[h] > 1, -stay > bestGain, spareColumns.last != nil || (nextColumn < columns && !free.isEmpty) {
                    if let c = spareColumns.popLast() {
                        best = c
                    } else if let id = free.popLast() {
                        best = nextColumn
                        clusterOf.append(id)
                        nextColumn += 1
                    }
                    bestGain = -stay
                }
                guard best >= 0 else { continue }
                let v = tracked[a]
                let from = Int(clusterOf[h]), to = Int(clusterOf[best])
                aggregates?.remove(node: v, from: from)
                aggregates?.add(node: v, to: to)
                labels[v] = Int32(to)
                columnSize[h] -= 1
                columnSize[best] += 1
                if columnSize[h] == 0 { spareColumns.append(h) }
                home[a] = best
                for b in 0..<m {
                    let w = Double(between[b * m + a])
                    sums[b * columns + h] -= w
                    sums[b * columns + best] += w
                }
                sweepMoves += 1
            }
            moves += sweepMoves
            if sweepMoves == 0 { break }
        }
        for c in spareColumns { free.append(clusterOf[c]) }
        return moves
    }
}
