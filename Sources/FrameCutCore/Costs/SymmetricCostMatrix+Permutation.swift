import Foundation

extension SymmetricCostMatrix {
    /// Reorders rows and columns in place: afterwards entry `(s, t)` holds what `(order[s], order[t])`
    /// held before. Values are copied, never recomputed, so they stay bit for bit the same.
    ///
    /// Kernighan-Lin reads, for each moved node, its costs to the nodes of two clusters. Stored in
    /// cluster order, those costs lie in a few contiguous runs of the row instead of being spread
    /// over all of it, so each step reads a few cache lines instead of hundreds.
    /// - Parameter order: a permutation of `0..<nodeCount` (checked).
    func permute(_ order: [Int32], threads: Int) throws {
        let n = nodeCount
        guard order.count == n else { throw FrameCutError.shapeMismatch("permutation has \(order.count) entries, the matrix \(n) rows") }
        var seen = [Bool](repeating: false, count: n)
        for v in order {
            guard v >= 0, Int(v) < n, !seen[Int(v)] else { throw FrameCutError.invalidArgument("the node order is not a permutation of 0..<\(n)") }
            seen[Int(v)] = true
        }
        // Rows: follow each cycle of the permutation with one spare row.
        let spare = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { spare.deallocate() }
        var done = [Bool](repeating: false, count: n)
        for start in 0..<n where !done[start] {
            if Int(order[start]) == start { done[start] = true; continue }
            spare.update(from: values + start * n, count: n)
            var current = start
            while true {
                done[current] = true
                let source = Int(order[current])
                if source == start {
                    (values + current * n).update(from: spare, count: n)
                    break
                }
                (values + current * n).update(from: values + source * n, count: n)
                current = source
            }
        }
        // Columns: gather each row through the order into a per-chunk buffer and copy it back.
        let chunks = Swift.max(1, Swift.min(n, threads * 4))
        let base = SendablePointer(base: values)
        order.withUnsafeBufferPointer { o in
            let orderBase = SendablePointer(base: UnsafeMutablePointer(mutating: o.baseAddress!))
            parallelFor(chunks: chunks, threads: threads) { c in
                let buffer = UnsafeMutablePointer<Float>.allocate(capacity: n)
                defer { buffer.deallocate() }
                var i = c
                while i < n {
                    let row = base.base + i * n
                    for t in 0..<n { buffer[t] = row[Int(orderBase.base[t])] }
                    row.update(from: buffer, count: n)
                    i += chunks
                }
            }
        }
    }
}
