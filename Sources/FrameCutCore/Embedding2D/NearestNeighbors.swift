import CBLAS
import Foundation

/// Exact k nearest neighbours of every row (the row itself first, at distance 0), found with
/// blocked Float32 GEMMs: no n x n matrix is kept, only `blockRows x n` at a time. Ties are
/// broken by the smaller index, so the result is deterministic.
public struct NearestNeighbors: Sendable {
    /// `count x k` neighbour indices and distances, row-major, nearest first.
    public let indices: [Int32]
    public let distances: [Float]
    public let count: Int
    public let k: Int

    /// - Parameters:
    ///   - values: `count x dimension` rows, row-major.
    ///   - k: neighbours per row including the row itself (at most `count`).
    public init(values: [Float], count: Int, dimension: Int, k: Int, metric: UMAPOptions.Metric, threads: Int = ParallelWork.processorCount) throws {
        guard count >= 2 else { throw MetricsError.tooFewItems(what: "nearest neighbours", needed: 2, actual: count) }
        guard dimension >= 1, values.count == count * dimension else {
            throw MetricsError.countMismatch(what: "embedding values", expected: count * max(dimension, 1), actual: values.count)
        }
        guard k >= 1, k <= count else { throw MetricsError.invalidParameter(name: "k", value: Double(k), reason: "must lie in 1...\(count)") }
        if let bad = values.firstIndex(where: { !$0.isFinite }) { throw MetricsError.nonFinite(what: "embedding values", index: bad / dimension) }
        let rows = UnsafeMutablePointer<Float>.allocate(capacity: count * dimension)
        defer { rows.deallocate() }
        rows.initialize(from: values, count: count * dimension)
        var norms = [Float](repeating: 0, count: count)
        for i in 0..<count {
            var s: Float = 0
            for d in 0..<dimension { s += rows[i * dimension + d] * rows[i * dimension + d] }
            norms[i] = s
        }
        if metric == .cosine {
            for i in 0..<count {
                guard norms[i] > 0 else { throw MetricsError.zeroNormRow(index: i) }
                let inv = 1 / norms[i].squareRoot()
                for d in 0..<dimension { rows[i * dimension + d] *= inv }
                norms[i] = 1
            }
        }
        let block = max(1, min(count, (32 << 20) / max(count, 1)))
        let products = UnsafeMutablePointer<Float>.allocate(capacity: block * count)
        defer { products.deallocate() }
        let idxOut = UnsafeMutablePointer<Int32>.allocate(capacity: count * k)
        defer { idxOut.deallocate() }
        let distOut = UnsafeMutablePointer<Float>.allocate(capacity: count * k)
        defer { distOut.deallocate() }
        let shared = UncheckedSendable((products: products, indices: idxOut, distances: distOut, norms: norms))
        var start = 0
        while start < count {
            let m = min(block, count - start)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(count), Int32(dimension),
                        1, rows + start * dimension, Int32(dimension), rows, Int32(dimension), 0, products, Int32(count))
            let base = start
            _ = ParallelWork.map(count: m, threads: threads) { row -> Bool in
                let i = base + row
                let p = shared.value.products, nrm = shared.value.norms
                var bestD = [Float](repeating: .infinity, count: k), bestI = [Int32](repeating: -1, count: k)
                bestD[0] = 0
                bestI[0] = Int32(i)
                var filled = 1
                for j in 0..<count where j != i {
                    let dot = p[row * count + j]
                    let d: Float = metric == .cosine ? max(0, 1 - dot) : max(0, nrm[i] + nrm[j] - 2 * dot).squareRoot()
                    guard k > 1, filled < k || d < bestD[k - 1] || (d == bestD[k - 1] && Int32(j) < bestI[k - 1]) else { continue }
                    var pos = min(filled, k - 1)
                    while pos > 1 && (bestD[pos - 1] > d || (bestD[pos - 1] == d && bestI[pos - 1] > Int32(j))) {
                        bestD[pos] = bestD[pos - 1]
                        bestI[pos] = bestI[pos - 1]
                        pos -= 1
                    }
                    bestD[pos] = d
                    bestI[pos] = Int32(j)
                    filled = min(filled + 1, k)
                }
                for t in 0..<k {
                    shared.value.indices[i * k + t] = bestI[t]
                    shared.value.distances[i * k + t] = bestD[t]
                }
                return true
            }
            start += m
        }
        let indices = Array(UnsafeBufferPointer(start: idxOut, count: count * k))
        let distances = Array(UnsafeBufferPointer(start: distOut, count: count * k))
        self.indices = indices
        self.distances = distances
        self.count = count
        self.k = k
    }
}
