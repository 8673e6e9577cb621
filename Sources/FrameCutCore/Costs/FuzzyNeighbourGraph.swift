import Foundation

/// The fuzzy k-nearest-neighbour graph of an embedding set, as UMAP builds it (McInnes, Healy
/// and Melville 2018, "fuzzy simplicial set"; umap-learn `smooth_knn_dist` and
/// `fuzzy_simplicial_set`), on cosine distances `d_ij = 1 - s_ij`.
///
/// For each node `i` with its `k` nearest other nodes: `rho_i` is the distance to the nearest
/// one at a positive distance, `sigma_i` solves `sum_j exp(-max(0, d_ij - rho_i) / sigma_i) = log2 k`
/// (bisection, at least `1e-3` times the mean neighbour distance), and the directed membership
/// is `a_ij = exp(-max(0, d_ij - rho_i) / sigma_i)`. The symmetric membership is the fuzzy
/// union `mu_ij = a_ij + a_ji - a_ij a_ji`. Every node thus sees its neighbourhood on its own
/// scale: dense and sparse regions are treated alike.
///
/// Stored as a symmetric sparse matrix (CSR, columns ascending per row) with node degrees
/// `k_i = sum_j mu_ij`.
public struct FuzzyNeighbourGraph: Sendable, Equatable {
    /// Neighbours per node (`k`).
    public let neighbourCount: Int
    /// `rho_i`: distance to the nearest neighbour at a positive distance.
    public let rho: [Double]
    /// `sigma_i`: the node's distance scale.
    public let sigma: [Double]
    /// CSR row offsets, `nodeCount + 1` entries.
    public let offsets: [Int]
    /// CSR column of each stored membership, ascending within a row.
    public let columns: [Int32]
    /// `mu_ij` of each stored entry (both `(i, j)` and `(j, i)` are stored).
    public let memberships: [Double]
    /// `k_i = sum_j mu_ij`.
    public let degrees: [Double]

    public var nodeCount: Int { degrees.count }
    /// `2m = sum_i k_i`.
    public var totalDegree: Double { degrees.reduce(0, +) }
    /// Number of undirected edges with a positive membership.
    public var edgeCount: Int { columns.count / 2 }

    /// Builds the graph from full similarity rows.
    /// - Parameters:
    ///   - nodeCount: `n`.
    ///   - neighbours: `k`, clamped to `n - 1`.
    ///   - similarityRow: `similarityRow(i)` points to the `n` cosines of row `i` (the diagonal
    ///     entry is ignored); called once per row, possibly concurrently, and read at once.
    public static func build(nodeCount n: Int, neighbours: Int, threads: Int,
                             similarityRow: @Sendable (Int) -> UnsafePointer<Float>) throws -> FuzzyNeighbourGraph {
        guard n >= 2 else { throw FrameCutError.tooFewNodes(n) }
        guard neighbours >= 1 else { throw FrameCutError.invalidArgument("neighbours must be at least 1, got \(neighbours)") }
        let k = Swift.min(neighbours, n - 1)
        var nearest = [Int32](repeating: 0, count: n * k)
        var distance = [Double](repeating: 0, count: n * k)
        nearest.withUnsafeMutableBufferPointer { nb in
            distance.withUnsafeMutableBufferPointer { db in
                let nn = SendablePointer(base: nb.baseAddress!), dd = SendablePointer(base: db.baseAddress!)
                let chunks = Swift.max(1, Swift.min(n, threads * 8))
                parallelFor(chunks: chunks, threads: threads) { c in
                    var i = c
                    while i < n {
                        selectNearest(row: similarityRow(i), count: n, skip: i, k: k, into: nn.base + i * k, distances: dd.base + i * k)
                        i += chunks
                    }
                }
            }
        }
        return fromNearest(n: n, k: k, nearest: nearest, distance: distance)
    }

    /// Builds the graph from streamed similarity blocks, without the `n x n` matrix (for the
    /// large-scale solver): the same nearest neighbours (similarities in float32, ties to the
    /// lower index) and the same fit as ``build(nodeCount:neighbours:threads:similarityRow:)``.
    /// Memory: `12 n k` bytes for the neighbour lists plus the scanner's blocks.
    public static func build(scanner: SimilarityScanner, neighbours: Int) throws -> FuzzyNeighbourGraph {
        let n = scanner.count
        guard n >= 2 else { throw FrameCutError.tooFewNodes(n) }
        guard neighbours >= 1 else { throw FrameCutError.invalidArgument("neighbours must be at least 1, got \(neighbours)") }
        let k = Swift.min(neighbours, n - 1)
        let blocks: [[(Int32, Double)]] = scanner.mapBlocks(upperOnly: false) { r0, rows, _, block in
            var out = [(Int32, Double)](repeating: (0, 0), count: rows * k)
            var nn = [Int32](repeating: 0, count: k), dd = [Double](repeating: 0, count: k)
            for r in 0..<rows {
                nn.withUnsafeMutableBufferPointer { nb in
                    dd.withUnsafeMutableBufferPointer { db in
                        selectNearest(row: UnsafePointer(block + r * n), count: n, skip: r0 + r, k: k,
                                      into: nb.baseAddress!, distances: db.baseAddress!)
                    }
                }
                for t in 0..<k { out[r * k + t] = (nn[t], dd[t]) }
            }
            return out
        }
        var nearest = [Int32](), distance = [Double]()
        nearest.reserveCapacity(n * k)
        distance.reserveCapacity(n * k)
        for block in blocks {
            for (j, dij) in block { nearest.append(j); distance.append(dij) }
        }
        return fromNearest(n: n, k: k, nearest: nearest, distance: distance)
    }

    /// The fit and the fuzzy union from each node's `k` nearest neighbours (nearest first) and their distances.
    static func fromNearest(n: Int, k: Int, nearest: [Int32], distance: [Double]) -> FuzzyNeighbourGraph {
        var rho = [Double](repeating: 0, count: n), sigma = [Double](repeating: 0, count: n)
        var directed = [Double](repeating: 0, count: n * k)
        let target = Foundation.log2(Double(k))
        for i in 0..<n {
            let d = distance[(i * k)..<((i + 1) * k)]
            let r = d.first(where: { $0 > 0 }) ?? 0
            let s = smoothScale(distances: Array(d), rho: r, target: target)
            rho[i] = r
            sigma[i] = s
            for (t, dij) in d.enumerated() { directed[i * k + t] = Foundation.exp(-Swift.max(0, dij - r) / s) }
        }
        return symmetrise(n: n, k: k, nearest: nearest, directed: directed, rho: rho, sigma: sigma)
    }

    /// Keeps the `k` largest similarities of `row` (skipping `skip`), nearest first; ties go to the lower index.
    @inline(__always)
    static func selectNearest(row: UnsafePointer<Float>, count n: Int, skip: Int, k: Int,
                              into nearest: UnsafeMutablePointer<Int32>, distances: UnsafeMutablePointer<Double>) {
        let bestS = UnsafeMutablePointer<Float>.allocate(capacity: k)
        let bestJ = UnsafeMutablePointer<Int32>.allocate(capacity: k)
        defer { bestS.deallocate(); bestJ.deallocate() }
        bestS.initialize(repeating: -.infinity, count: k)
        bestJ.initialize(repeating: -1, count: k)
        var worst: Float = -.infinity
        var filled = 0
        for j in 0..<n where j != skip {
            let s = row[j]
            if filled == k, !(s > worst) { continue }
            // Insert keeping descending order; equal values keep the earlier (lower) index first.
            var pos = Swift.min(filled, k - 1)
            if filled < k { filled += 1 }
            while pos > 0, bestS[pos - 1] < s {
                bestS[pos] = bestS[pos - 1]
                bestJ[pos] = bestJ[pos - 1]
                pos -= 1
            }
            bestS[pos] = s
            bestJ[pos] = Int32(j)
            worst = filled == k ? bestS[k - 1] : -.infinity
        }
        for t in 0..<k {
            nearest[t] = bestJ[t]
            distances[t] = Swift.max(0, 1 - Double(bestS[t]))
        }
    }

    /// UMAP's `sigma`: bisection on `sum_j exp(-max(0, d_j - rho) / sigma) = target`.
    static func smoothScale(distances d: [Double], rho: Double, target: Double) -> Double {
        var lo = 0.0, hi = Double.infinity, mid = 1.0
        for _ in 0..<64 {
            var total = 0.0
            for dj in d { total += Foundation.exp(-Swift.max(0, dj - rho) / mid) }
            if Swift.abs(total - target) < 1e-5 { break }
            if total > target {
                hi = mid
                mid = (lo + hi) / 2
            } else {
                lo = mid
                mid = hi == .infinity ? mid * 2 : (lo + hi) / 2
            }
        }
        let meanDistance = d.reduce(0, +) / Double(Swift.max(1, d.count))
        return Swift.max(mid, 1e-3 * meanDistance, 1e-12)
    }

    /// Fuzzy union of the directed memberships into a symmetric CSR matrix.
    static func symmetrise(n: Int, k: Int, nearest: [Int32], directed: [Double], rho: [Double], sigma: [Double]) -> FuzzyNeighbourGraph {
        // Directed membership lookup: (i, j) -> a_ij, through each row's neighbours sorted by column.
        var sortedRows = [[(Int32, Double)]](repeating: [], count: n)
        for i in 0..<n {
            var entries = [(Int32, Double)]()
            entries.reserveCapacity(k)
            for t in 0..<k where nearest[i * k + t] >= 0 { entries.append((nearest[i * k + t], directed[i * k + t])) }
            entries.sort { $0.0 < $1.0 }
            sortedRows[i] = entries
        }
        func membership(_ i: Int, _ j: Int32) -> Double? {
            let row = sortedRows[i]
            var lo = 0, hi = row.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if row[mid].0 < j { lo = mid + 1 } else { hi = mid }
            }
            return lo < row.count && row[lo].0 == j ? row[lo].1 : nil
        }
        var rows = [[(Int32, Double)]](repeating: [], count: n)
        for i in 0..<n {
            for (j32, aij) in sortedRows[i] {
                let j = Int(j32)
                let listed = membership(j, Int32(i))
                // Each undirected pair once: from the lower index when both list each other.
                if listed != nil, j < i { continue }
                let aji = listed ?? 0
                let mu = aij + aji - aij * aji
                guard mu > 0 else { continue }
                rows[i].append((j32, mu))
                rows[j].append((Int32(i), mu))
            }
        }
        var offsets = [Int](repeating: 0, count: n + 1)
        var columns = [Int32](), memberships = [Double](), degrees = [Double](repeating: 0, count: n)
        for i in 0..<n {
            rows[i].sort { $0.0 < $1.0 }
            for (j, mu) in rows[i] {
                columns.append(j)
                memberships.append(mu)
                degrees[i] += mu
            }
            offsets[i + 1] = columns.count
        }
        return FuzzyNeighbourGraph(neighbourCount: k, rho: rho, sigma: sigma, offsets: offsets, columns: columns,
                                   memberships: memberships, degrees: degrees)
    }
}
