import CBLAS
import FrameCutCore
import Dispatch

/// How much of the machine one forward pass may use. Layers split their work into
/// `threads` parts themselves and call OpenBLAS single-threaded inside each part, so two
/// levels of threading never compete.
public struct ComputeContext: Sendable {
    /// Worker threads for one forward pass (1 or more).
    public var threads: Int

    /// How many parts layers cut their work into, independent of `threads`, so that results are
    /// bit-identical for every thread count (the parts run on up to `threads` threads).
    public static let partitions = 4

    public init(threads: Int = 1) {
        self.threads = max(1, threads)
    }

    /// Runs `body(part)` for `parts` parts, concurrently when `threads > 1`. With fewer threads
    /// than parts, each thread runs a contiguous run of parts.
    @inline(__always)
    func forEach(_ parts: Int, _ body: (Int) -> Void) {
        if threads <= 1 || parts <= 1 {
            for p in 0..<parts { body(p) }
        } else if threads < parts {
            let workers = threads
            forEach(workers) { w in
                for p in (parts * w / workers)..<(parts * (w + 1) / workers) { body(p) }
            }
        } else {
            withoutActuallyEscaping(body) { body in
                let box = UncheckedBox(body)
                DispatchQueue.concurrentPerform(iterations: parts) { box.value($0) }
            }
        }
    }

    /// Splits `0..<count` into `threads` contiguous ranges (no empty ones) and runs them concurrently.
    @inline(__always)
    func forEachRange(_ count: Int, minimumPerPart: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(threads, count / max(minimumPerPart, 1)))
        if parts == 1 {
            if count > 0 { body(0..<count) }
            return
        }
        forEach(parts) { p in
            let lo = count * p / parts, hi = count * (p + 1) / parts
            if hi > lo { body(lo..<hi) }
        }
    }

    /// Runs `body` with OpenBLAS single-threaded (the engine parallelises above BLAS), never
    /// while another part of the process has OpenBLAS multi-threaded (see `BLASThreads`).
    func withSingleThreadedBLAS<T>(_ body: () throws -> T) rethrows -> T {
        try BLASThreads.run(threads: 1, body)
    }
}

/// Lets a non-escaping closure cross into `concurrentPerform`; callers write disjoint memory.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A pointer that may be used from concurrently running parts writing disjoint ranges.
struct SharedPointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    init(_ base: UnsafeMutablePointer<Float>) { self.base = base }
}
