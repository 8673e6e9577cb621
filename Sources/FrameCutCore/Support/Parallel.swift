import Foundation

/// Runs `body(chunk)` for `chunks` chunks on up to `threads` threads.
@inline(__always)
func parallelFor(chunks: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
    if threads <= 1 || chunks <= 1 {
        for c in 0..<chunks { body(c) }
    } else {
        DispatchQueue.concurrentPerform(iterations: chunks, execute: body)
    }
}

/// Sums `body(row)` over rows `0..<rows`, spread over up to `threads` threads in 32 interleaved
/// chunks (row i goes to chunk i mod 32, which balances triangular work). Partial sums are added
/// in chunk order, so the result never depends on `threads`.
func parallelRowSum(rows: Int, threads: Int, _ body: @Sendable (Int) -> Double) -> Double {
    let chunks = 32
    var partial = [Double](repeating: 0, count: chunks)
    partial.withUnsafeMutableBufferPointer { sums in
        let out = SendablePointer(base: sums.baseAddress!)
        parallelFor(chunks: chunks, threads: threads) { c in
            var total = 0.0
            var row = c
            while row < rows {
                total += body(row)
                row += chunks
            }
            out.base[c] = total
        }
    }
    return partial.reduce(0, +)
}
