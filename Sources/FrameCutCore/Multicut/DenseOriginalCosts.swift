/// The original rows of the nodes that GAEC made representatives, saved before their first
/// contraction, from which `restore` gives back the cost matrix GAEC overwrote.
///
/// A contraction into representative `a` writes row `a` and column `a` (in the live rows), and
/// GAEC sets the diagonal to -infinity; nothing else. When `a` first becomes a representative,
/// its row still holds original costs except in the columns of earlier representatives (their
/// column writes); those entries are taken from the earlier saved rows (the matrix is
/// symmetric), so each saved row is the original one. Restoring the saved rows, their columns
/// and a zero diagonal gives the original matrix bit for bit.
public final class DenseOriginalCosts: @unchecked Sendable {
    let n: Int
    let limit: Int
    /// Representatives in the order they were saved.
    private(set) var rows: [Int32] = []
    /// Position of each node's row in `values` (-1: not saved).
    private var slot: [Int32]
    private var values: [Float] = []
    /// False once more than `limit` rows were needed (then nothing is kept).
    private(set) var complete = true

    init(nodeCount n: Int, limit: Int) {
        self.n = n
        self.limit = limit
        slot = [Int32](repeating: -1, count: n)
    }

    /// Number of rows saved.
    public var savedRows: Int { rows.count }
    /// Bytes the saved rows take.
    public var byteCount: Int { values.count * MemoryLayout<Float>.stride }

    /// Saves row `a` (at `row`) the first time it is called for `a`.
    @inline(__always)
    func save(row a: Int, from row: UnsafeMutablePointer<Float>) {
        guard complete, slot[a] < 0 else { return }
        guard rows.count < limit else {
            complete = false
            rows = []
            values = []
            return
        }
        let k = rows.count
        if k == 0 { values.reserveCapacity(limit * n) }  // address space only, until written
        slot[a] = Int32(k)
        rows.append(Int32(a))
        values.append(contentsOf: UnsafeBufferPointer(start: row, count: n))
        values.withUnsafeMutableBufferPointer { v in
            let mine = v.baseAddress! + k * n
            // Entries in the columns of earlier representatives were overwritten: take them
            // from those rows, saved before they were. The diagonal is 0.
            for e in 0..<k { mine[Int(rows[e])] = v[e * n + a] }
            mine[a] = 0
        }
    }

    /// Writes the original costs back into `matrix` (the one GAEC ran on): the saved rows, their
    /// columns, and a zero diagonal.
    public func restore(_ matrix: SymmetricCostMatrix, threads: Int) throws {
        guard complete else { throw FrameCutError.invalidArgument("the saved rows of GAEC are incomplete") }
        guard matrix.nodeCount == n else { throw FrameCutError.shapeMismatch("cost matrix has \(matrix.nodeCount) nodes, the saved rows \(n)") }
        let n = self.n
        let m = SendablePointer(base: matrix.values)
        let count = rows.count
        // Saved rows by increasing node, so each matrix row is written front to back.
        let byNode = rows.indices.sorted { rows[$0] < rows[$1] }.map { Int32($0) }
        byNode.withUnsafeBufferPointer { order in
        rows.withUnsafeBufferPointer { r in
            values.withUnsafeBufferPointer { v in
                let reps = SendablePointer(base: UnsafeMutablePointer(mutating: r.baseAddress!))
                let sorted = SendablePointer(base: UnsafeMutablePointer(mutating: order.baseAddress!))
                let saved = SendablePointer(base: UnsafeMutablePointer(mutating: v.baseAddress!))
                // Blocks of rows: each block's saved rows and columns. Disjoint writes per block.
                let block = 64
                let blocks = (n + block - 1) / block
                parallelFor(chunks: blocks, threads: threads) { b in
                    let start = b * block, end = Swift.min(n, start + block)
                    for i in start..<end { m.base[i * n + i] = 0 }
                    for t in 0..<count {
                        let k = Int(sorted.base[t])
                        let a = Int(reps.base[k])
                        let source = saved.base + k * n
                        if a >= start, a < end {
                            (m.base + a * n).update(from: source, count: n)
                        }
                        for i in start..<end { m.base[i * n + a] = source[i] }
                    }
                }
            }
        }
        }
    }
}
