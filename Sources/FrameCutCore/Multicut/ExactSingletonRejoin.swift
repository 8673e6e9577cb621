import CBLAS

/// A last, exact step of the large-scale local search: every node left alone in a cluster
/// joins the cluster to which its exact summed cost (over all that cluster's nodes, not the
/// affine approximation) is largest, when that sum is positive. The affine part errs most for
/// such nodes (their attraction is spread thinly over many non-neighbour pairs). Rows of the
/// singletons are computed by GEMM in chunks of 64, so this costs O(m n d) for m singletons;
/// singletons are visited in index order (deterministic).
enum ExactSingletonRejoin {
    /// Returns the number of nodes that joined a cluster.
    static func run<Model: PairCostModel>(labels: inout [Int32], model: Model, scanner: SimilarityScanner) -> Int {
        let n = scanner.count, d = scanner.dimension
        var sizes = [Int](repeating: 0, count: n)
        for l in labels { sizes[Int(l)] += 1 }
        let singletons = (0..<n).filter { sizes[Int(labels[$0])] == 1 }
        guard !singletons.isEmpty else { return 0 }
        let chunk = 64
        var rows = [Float](repeating: 0, count: chunk * n)
        var gathered = [Float](repeating: 0, count: chunk * d)
        var sums = [Double](repeating: 0, count: n)
        var joined = 0
        var start = 0
        while start < singletons.count {
            let part = Array(singletons[start..<Swift.min(singletons.count, start + chunk)])
            for (r, v) in part.enumerated() { for c in 0..<d { gathered[r * d + c] = scanner.vectors[v * d + c] } }
            scanner.vectors.withUnsafeBufferPointer { all in
                BLASThreads.run(threads: 1) {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(part.count), Int32(n), Int32(d),
                                1, gathered, Int32(d), all.baseAddress, Int32(d), 0, &rows, Int32(n))
                }
            }
            rows.withUnsafeMutableBufferPointer { block in
                for (r, v) in part.enumerated() {
                    let home = Int(labels[v])
                    guard sizes[home] == 1 else { continue }
                    let row = UnsafeMutableBufferPointer(rebasing: block[(r * n)..<(r * n + n)])
                    model.transformRow(row, row: v, firstColumn: 0)
                    for j in 0..<n where j != v { sums[Int(labels[j])] += Double(row[j]) }
                    var best = -1
                    var bestSum = 0.0
                    for j in 0..<n where j != v {
                        let c = Int(labels[j])
                        if c != home, sums[c] > bestSum || (sums[c] == bestSum && best >= 0 && c < best) {
                            best = c
                            bestSum = sums[c]
                        }
                    }
                    for j in 0..<n { sums[Int(labels[j])] = 0 }
                    if best >= 0, bestSum > 0 {
                        sizes[home] -= 1
                        sizes[best] += 1
                        labels[v] = Int32(best)
                        joined += 1
                    }
                }
            }
            start += chunk
        }
        return joined
    }
}
