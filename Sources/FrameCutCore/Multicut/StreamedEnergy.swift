/// The exact energy of labellings on the complete graph of a ``PairCostModel``, streamed:
/// blocks of the upper triangle of the similarity matrix by GEMM, costs per block in float32
/// (as the dense matrix holds them), float64 sums, never `n^2` values in memory. The result
/// does not depend on the thread count (per-block sums added in block order).
public enum StreamedEnergy {
    /// The energies of `labelings` (one per labelling) and the sum of all pair costs, in one pass.
    public static func energies<Model: PairCostModel>(of labelings: [[Int32]], model: Model,
                                                      scanner: SimilarityScanner) throws -> (energies: [Double], totalCost: Double) {
        let n = scanner.count
        for labels in labelings where labels.count != n {
            throw FrameCutError.labelCountMismatch(expected: n, found: labels.count)
        }
        let count = labelings.count
        let blocks: [[Double]] = scanner.mapBlocks(upperOnly: true) { r0, rows, c0, block in
            var out = [Double](repeating: 0, count: count + 1)
            let columns = n - c0
            for r in 0..<rows {
                let i = r0 + r
                let first = i + 1
                guard first < n else { continue }
                let row = UnsafeMutableBufferPointer(start: block + r * columns + (first - c0), count: n - first)
                model.transformRow(row, row: i, firstColumn: first)
                out[count] += Summation.sum(UnsafePointer(row.baseAddress!), count: row.count)
                for (l, labels) in labelings.enumerated() {
                    let li = labels[i]
                    var s = 0.0
                    for t in 0..<row.count where labels[first + t] != li { s += Double(row[t]) }
                    out[l] += s
                }
            }
            return out
        }
        var energies = [Double](repeating: 0, count: count)
        var total = 0.0
        for b in blocks {
            for l in 0..<count { energies[l] += b[l] }
            total += b[count]
        }
        return (energies, total)
    }
}
