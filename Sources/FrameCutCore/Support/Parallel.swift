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

/// A raw pointer that may cross into concurrently executed closures. Callers guarantee
/// that concurrent users write disjoint ranges.
struct SendablePointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}
