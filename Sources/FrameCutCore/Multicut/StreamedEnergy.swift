/// The exact energy of labellings on the complete graph of a ``PairCostModel``, streamed over
/// the upper triangle of the similarity matrix in square tiles
/// (``SimilarityScanner/mapUpperTiles(_:)``: one single-threaded SGEMM per 1024 x 1024 tile,
/// each pair `i < j` in exactly one tile), costs per tile in float32 (as the dense matrix holds
/// them), float64 sums per tile, the tiles' sums added in tile order: never `n^2` values in
/// memory, and the result does not depend on the thread count.
public enum StreamedEnergy {
    /// The energies of `labelings` (one per labelling) and the sum of all pair costs, in one pass.
    public static func energies<Model: PairCostModel>(of labelings: [[Int32]], model: Model,
                                                      scanner: SimilarityScanner) throws -> (energies: [Double], totalCost: Double) {
        let n = scanner.count
        for labels in labelings where labels.count != n {
            throw FrameCutError.labelCountMismatch(expected: n, found: labels.count)
        }
        let count = labelings.count
        let tiles: [[Double]] = scanner.mapUpperTiles { r0, rows, c0, columns, tile in
            var out = [Double](repeating: 0, count: count + 1)
            let diagonal = r0 == c0
            for r in 0..<rows {
                let i = r0 + r
                let start = diagonal ? r + 1 : 0
                guard start < columns else { continue }
                let row = UnsafeMutableBufferPointer(start: tile + r * columns + start, count: columns - start)
                let first = c0 + start
                model.transformRow(row, row: i, firstColumn: first)
                out[count] += Summation.sum(UnsafePointer(row.baseAddress!), count: row.count)
                for (l, labels) in labelings.enumerated() {
                    let li = labels[i]
                    var s = 0.0
                    labels.withUnsafeBufferPointer { lab in
                        for t in 0..<row.count where lab[first + t] != li { s += Double(row[t]) }
                    }
                    out[l] += s
                }
            }
            return out
        }
        var energies = [Double](repeating: 0, count: count)
        var total = 0.0
        for t in tiles {
            for l in 0..<count { energies[l] += t[l] }
            total += t[count]
        }
        return (energies, total)
    }
}
