/// The exact k-nearest-neighbour graph of a vector set under the dot product, symmetrised:
/// `{i, j}` is an edge when `j` is among the `k` most similar rows of `i` or `i` among those
/// of `j`. Ties are broken by the smaller index, so the graph is deterministic. Stored as
/// sorted adjacency lists (CSR) with the float64 similarity of every edge.
public struct KNNGraph: Sendable {
    public let nodeCount: Int
    /// Neighbours asked for per node (before symmetrisation).
    public let k: Int
    /// `neighbors[offsets[i]..<offsets[i + 1]]` are the neighbours of `i`, ascending.
    public let offsets: [Int]
    public let neighbors: [Int32]
    /// Similarity `<x_i, x_j>` of each adjacency entry, recomputed in float64 from the vectors.
    public let similarities: [Double]

    /// Number of undirected edges.
    public var edgeCount: Int { neighbors.count / 2 }

    /// Bytes the construction holds at its peak besides the vectors: the per-worker and merged
    /// per-row top-k lists, the symmetric adjacency (at most `2 n k` entries of 12 bytes plus offsets) and
    /// the scan blocks.
    public static func estimatedBytes(count n: Int, k: Int, threads: Int) -> UInt64 {
        // Per worker: every row's top-k (value and index) and its worst kept entry; merged: indices and values.
        let topK = UInt64(Swift.max(1, threads)) * UInt64(n) * UInt64(k + 1) * 8 + UInt64(n) * UInt64(k) * 8
        let adjacency = UInt64(n) * UInt64(2 * k) * 12 * 2 + UInt64(n + 1) * 8
        return topK + adjacency + SimilarityScanner.estimatedBytes(count: n, threads: threads)
    }

    /// Builds the graph from the streamed similarities of `scanner`.
    public init(scanner: SimilarityScanner, k requested: Int) throws {
        var unused: SimilarityScanner.RowExtremes?
        try self.init(scanner: scanner, k: requested, collectExtremes: false, extremes: &unused)
    }

    /// Builds the graph and, from the same streamed blocks, the float32 extremes of every row's
    /// pairs `j > i` (what ``SimilarityScanner/exactRange(_:rowExtremes:)`` needs): one pass over
    /// the similarity matrix instead of two.
    public static func withRowExtremes(scanner: SimilarityScanner, k: Int) throws -> (graph: KNNGraph, extremes: SimilarityScanner.RowExtremes) {
        var extremes: SimilarityScanner.RowExtremes?
        let graph = try KNNGraph(scanner: scanner, k: k, collectExtremes: true, extremes: &extremes)
        guard let extremes else { throw FrameCutError.invalidArgument("kNN graph: row extremes were not collected") }
        return (graph, extremes)
    }

    /// Builds the graph and hands back every row's top-k lists (with their float32
    /// similarities) and, with `collectExtremes`, the row extremes, all from one pass.
    public static func withRowNeighbours(scanner: SimilarityScanner, k requested: Int,
                                         collectExtremes: Bool) throws -> (graph: KNNGraph, lists: RowNeighbours) {
        let n = scanner.count
        guard n >= 2 else { throw FrameCutError.tooFewNodes(n) }
        guard requested >= 1 else { throw FrameCutError.invalidArgument("k must be at least 1, got \(requested)") }
        let lists = try nearestPerRow(scanner: scanner, k: Swift.min(requested, n - 1), collectExtremes: collectExtremes)
        return (KNNGraph(scanner: scanner, lists: lists), lists)
    }

    private init(scanner: SimilarityScanner, k requested: Int, collectExtremes: Bool, extremes: inout SimilarityScanner.RowExtremes?) throws {
        let (graph, lists) = try Self.withRowNeighbours(scanner: scanner, k: requested, collectExtremes: collectExtremes)
        if collectExtremes {
            extremes = SimilarityScanner.RowExtremes(minimum: lists.low, maximum: lists.high)
        }
        self = graph
    }

    private init(scanner: SimilarityScanner, lists nearest: RowNeighbours) {
        let n = nearest.count, k = nearest.k
        let topK = nearest.indices
        // Symmetrise: count degrees, fill, sort, deduplicate.
        var degree = [Int](repeating: 0, count: n)
        for i in 0..<n {
            for t in 0..<k {
                let j = Int(topK[i * k + t])
                degree[i] += 1
                degree[j] += 1
            }
        }
        var start = [Int](repeating: 0, count: n + 1)
        for i in 0..<n { start[i + 1] = start[i] + degree[i] }
        var fill = start
        var raw = [Int32](repeating: 0, count: start[n])
        for i in 0..<n {
            for t in 0..<k {
                let j = Int(topK[i * k + t])
                raw[fill[i]] = Int32(j); fill[i] += 1
                raw[fill[j]] = Int32(i); fill[j] += 1
            }
        }
        var offsets = [Int](repeating: 0, count: n + 1)
        var neighbors = [Int32]()
        neighbors.reserveCapacity(start[n])
        for i in 0..<n {
            let list = raw[start[i]..<start[i + 1]].sorted()
            var previous: Int32 = -1
            for j in list where j != previous {
                neighbors.append(j)
                previous = j
            }
            offsets[i + 1] = neighbors.count
        }
        let d = scanner.dimension
        let vectors = scanner.vectors
        // Float64 similarities of the edges, rows spread over the threads (each entry is
        // computed alone, so the values do not depend on the thread count).
        var similarities = [Double](repeating: 0, count: neighbors.count)
        let chunks = Swift.min(n, 64 * scanner.threads)
        vectors.withUnsafeBufferPointer { v in
            neighbors.withUnsafeBufferPointer { nb in
                similarities.withUnsafeMutableBufferPointer { out in
                    let vb = SendablePointer(base: UnsafeMutablePointer(mutating: v.baseAddress!))
                    let nbp = SendablePointer(base: UnsafeMutablePointer(mutating: nb.baseAddress!))
                    let op = SendablePointer(base: out.baseAddress!)
                    let offs = UncheckedSendable(offsets)
                    parallelFor(chunks: chunks, threads: scanner.threads) { chunk in
                        let first = chunk * n / chunks, last = (chunk + 1) * n / chunks
                        for i in first..<last {
                            for e in offs.value[i]..<offs.value[i + 1] {
                                let j = Int(nbp.base[e])
                                var s = 0.0
                                let a = vb.base + i * d, b = vb.base + j * d
                                for c in 0..<d { s += Double(a[c]) * Double(b[c]) }
                                op.base[e] = s
                            }
                        }
                    }
                }
            }
        }
        self.nodeCount = n
        self.k = k
        self.offsets = offsets
        self.neighbors = neighbors
        self.similarities = similarities
    }

    /// Every row's exact top-k (self excluded) as the streamed pass finds them and, optionally,
    /// the float32 extremes of its pairs `j > i`.
    public struct RowNeighbours: Sendable {
        public let count: Int
        public let k: Int
        /// `indices[i * k + t]`, `t = 0..<k`: the `k` most similar rows of `i`, by similarity
        /// descending, then index ascending; `values` their float32 similarities.
        public internal(set) var indices: [Int32]
        public internal(set) var values: [Float]
        /// Per row, the float32 minimum and maximum over `j > i` (empty when not collected).
        public internal(set) var low: [Float]
        public internal(set) var high: [Float]
    }

    /// One streamed pass over the upper triangle (``SimilarityScanner/forEachUpperTile(_:)``):
    /// every similarity `s_ij`, `i < j`, is computed once and offered to the top-k of both `i`
    /// and `j`. Each worker keeps a top-k of every row; the workers' lists are merged at the
    /// end. The order is total (similarity, then index), so the kept set is the exact top-k
    /// whatever order the pairs arrive in: the result does not depend on the thread count and
    /// equals a row-by-row selection on the same values.
    static func nearestPerRow(scanner: SimilarityScanner, k: Int, collectExtremes: Bool) throws -> RowNeighbours {
        let n = scanner.count
        let workers = scanner.upperTileWorkers
        // Per worker: every row's top-k and its worst kept entry (contiguous, so that the column
        // side's check reads one cache line per 16 columns), and the row extremes.
        let slots = workers * n * k
        let vp = SendablePointer(base: UnsafeMutablePointer<Float>.allocate(capacity: slots))
        let ip = SendablePointer(base: UnsafeMutablePointer<Int32>.allocate(capacity: slots))
        let wvp = SendablePointer(base: UnsafeMutablePointer<Float>.allocate(capacity: workers * n))
        let wip = SendablePointer(base: UnsafeMutablePointer<Int32>.allocate(capacity: workers * n))
        let lop = SendablePointer(base: UnsafeMutablePointer<Float>.allocate(capacity: collectExtremes ? workers * n : 0))
        let hip = SendablePointer(base: UnsafeMutablePointer<Float>.allocate(capacity: collectExtremes ? workers * n : 0))
        defer {
            vp.base.deallocate(); ip.base.deallocate(); wvp.base.deallocate(); wip.base.deallocate()
            lop.base.deallocate(); hip.base.deallocate()
        }
        vp.base.initialize(repeating: -.infinity, count: slots)
        ip.base.initialize(repeating: .max, count: slots)
        wvp.base.initialize(repeating: -.infinity, count: workers * n)
        wip.base.initialize(repeating: .max, count: workers * n)
        lop.base.initialize(repeating: .infinity, count: collectExtremes ? workers * n : 0)
        hip.base.initialize(repeating: -.infinity, count: collectExtremes ? workers * n : 0)
        do {
            scanner.forEachUpperTile { worker, r0, rows, c0, columns, tile in
                let vals = vp.base + worker * n * k, idx = ip.base + worker * n * k
                let wv = wvp.base + worker * n, wi = wip.base + worker * n
                // Inserts (v, j) into row `row`'s list, which it beats (v larger, or equal with a smaller index).
                @inline(__always) func insert(_ row: Int, _ v: Float, _ j: Int32) {
                    let rv = vals + row * k, ri = idx + row * k
                    var p = k - 1
                    while p > 0, rv[p - 1] < v || (rv[p - 1] == v && ri[p - 1] > j) {
                        rv[p] = rv[p - 1]
                        ri[p] = ri[p - 1]
                        p -= 1
                    }
                    rv[p] = v
                    ri[p] = j
                    wv[row] = rv[k - 1]
                    wi[row] = ri[k - 1]
                }
                for r in 0..<rows {
                    let i = r0 + r
                    let first = c0 == r0 ? r + 1 : 0
                    guard first < columns else { continue }
                    let line = tile + r * columns
                    let i32 = Int32(i)
                    if collectExtremes {
                        var lo = lop.base[worker * n + i], hi = hip.base[worker * n + i]
                        for c in first..<columns {
                            lo = Swift.min(lo, line[c])
                            hi = Swift.max(hi, line[c])
                        }
                        lop.base[worker * n + i] = lo
                        hip.base[worker * n + i] = hi
                    }
                    for c in first..<columns {
                        let v = line[c]
                        let j = c0 + c
                        let j32 = Int32(j)
                        let rowWorst = wv[i]
                        if v > rowWorst || (v == rowWorst && j32 < wi[i]) { insert(i, v, j32) }
                        let columnWorst = wv[j]
                        if v > columnWorst || (v == columnWorst && i32 < wi[j]) { insert(j, v, i32) }
                    }
                }
            }
        }
        // Merge the workers' lists row by row (each sorted; a pair lies in one worker's lists only).
        var merged = RowNeighbours(count: n, k: k, indices: [Int32](repeating: 0, count: n * k), values: [Float](repeating: 0, count: n * k),
                                   low: collectExtremes ? [Float](repeating: .infinity, count: n) : [],
                                   high: collectExtremes ? [Float](repeating: -.infinity, count: n) : [])
        var heads = [Int](repeating: 0, count: workers)
        for i in 0..<n {
            for w in 0..<workers { heads[w] = 0 }
            for t in 0..<k {
                var best = -1
                var bestValue = -Float.infinity, bestIndex = Int32.max
                for w in 0..<workers where heads[w] < k {
                    let e = (w * n + i) * k + heads[w]
                    let v = vp.base[e], j = ip.base[e]
                    if best < 0 || v > bestValue || (v == bestValue && j < bestIndex) {
                        best = w
                        bestValue = v
                        bestIndex = j
                    }
                }
                guard best >= 0, bestIndex != .max else {
                    throw FrameCutError.invalidArgument("kNN graph: row \(i) has fewer than \(k) finite similarities (non-finite vectors?)")
                }
                heads[best] += 1
                merged.indices[i * k + t] = bestIndex
                merged.values[i * k + t] = bestValue
            }
            if collectExtremes {
                for w in 0..<workers {
                    merged.low[i] = Swift.min(merged.low[i], lop.base[w * n + i])
                    merged.high[i] = Swift.max(merged.high[i], hip.base[w * n + i])
                }
            }
        }
        return merged
    }

    /// Whether `j` is a neighbour of `i` (binary search).
    public func contains(_ i: Int, _ j: Int) -> Bool {
        var lo = offsets[i], hi = offsets[i + 1]
        let target = Int32(j)
        while lo < hi {
            let mid = (lo + hi) / 2
            if neighbors[mid] < target { lo = mid + 1 } else { hi = mid }
        }
        return lo < offsets[i + 1] && neighbors[lo] == target
    }
}
