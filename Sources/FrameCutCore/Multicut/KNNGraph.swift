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

    /// Bytes the construction holds at its peak besides the vectors: the per-row top-k
    /// lists, the symmetric adjacency (at most `2 n k` entries of 12 bytes plus offsets) and
    /// the scan blocks.
    public static func estimatedBytes(count n: Int, k: Int, threads: Int) -> UInt64 {
        let topK = UInt64(n) * UInt64(k) * 8
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

    private init(scanner: SimilarityScanner, k requested: Int, collectExtremes: Bool, extremes: inout SimilarityScanner.RowExtremes?) throws {
        let n = scanner.count
        guard n >= 2 else { throw FrameCutError.tooFewNodes(n) }
        guard requested >= 1 else { throw FrameCutError.invalidArgument("k must be at least 1, got \(requested)") }
        let k = Swift.min(requested, n - 1)
        // Exact top-k of every row (self excluded), ordered by similarity descending, then index.
        let perBlock: [(topK: [Int32], low: [Float], high: [Float])] = scanner.mapBlocks(upperOnly: false) { r0, rows, _, block in
            var out = [Int32](repeating: 0, count: rows * k)
            var low = [Float](repeating: .infinity, count: collectExtremes ? rows : 0)
            var high = [Float](repeating: -.infinity, count: collectExtremes ? rows : 0)
            var values = [Float](repeating: 0, count: k)
            var indices = [Int32](repeating: 0, count: k)
            for r in 0..<rows {
                let i = r0 + r
                let row = block + r * n
                var filled = 0
                for j in 0..<n where j != i {
                    let v = row[j]
                    if filled == k {
                        // Worse than the last kept (ties lose: j is larger than every kept index).
                        if !(v > values[k - 1]) { continue }
                    }
                    var p = filled < k ? filled : k - 1
                    while p > 0, v > values[p - 1] {
                        values[p] = values[p - 1]
                        indices[p] = indices[p - 1]
                        p -= 1
                    }
                    values[p] = v
                    indices[p] = Int32(j)
                    if filled < k { filled += 1 }
                }
                for t in 0..<k { out[r * k + t] = indices[t] }
                if collectExtremes, i + 1 < n {
                    var lo = Float.infinity, hi = -Float.infinity
                    for j in (i + 1)..<n {
                        lo = Swift.min(lo, row[j])
                        hi = Swift.max(hi, row[j])
                    }
                    low[r] = lo
                    high[r] = hi
                }
            }
            return (out, low, high)
        }
        let topK = perBlock.flatMap(\.topK)
        if collectExtremes {
            extremes = SimilarityScanner.RowExtremes(minimum: perBlock.flatMap(\.low), maximum: perBlock.flatMap(\.high))
        }
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
