import Foundation
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

    /// Whether `forEach` runs parts on the persistent `WorkerTeam` (default) or hands every call
    /// to `DispatchQueue.concurrentPerform` (`FRAMECUT_WORKER_TEAM=0`, for comparisons). Same
    /// results either way.
    static let usesWorkerTeam = ProcessInfo.processInfo.environment["FRAMECUT_WORKER_TEAM"] != "0"

    /// When set, layers add their time and work to it per kind (`framecut bench models --profile`).
    public var profile: LayerProfile?

    public init(threads: Int = 1, profile: LayerProfile? = nil) {
        self.threads = max(1, threads)
        self.profile = profile
    }

    /// Runs `body(part)` for `parts` parts, concurrently when `threads > 1`. With fewer threads
    /// than parts, each thread runs a contiguous run of parts, always the same run for the same
    /// thread of the process-wide `WorkerTeam` (the calling thread takes the first); where the
    /// team is busy (a concurrent forward pass, or a call from inside a part) the parts go to
    /// `DispatchQueue.concurrentPerform` in the same runs. Which thread runs a part never changes
    /// what the part computes.
    @inline(__always)
    func forEach(_ parts: Int, _ body: (Int) -> Void) {
        if threads <= 1 || parts <= 1 {
            for p in 0..<parts { body(p) }
            return
        }
        if Self.usesWorkerTeam && WorkerTeam.shared(size: threads).run(parts: parts, body) { return }
        let workers = min(threads, parts)
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for p in WorkerTeam.share(of: w, parts: parts, size: workers) { box.value(p) }
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

/// The rows of one image's output cut into blocks for threads: blocks of at most `cacheRows`
/// rows (what fits the cache budget), rounded up to a multiple of `ComputeContext.partitions`
/// per image where there are enough rows. It depends on the layer's shape only, never on the
/// thread count or the batch, so every output value is computed by the same calls.
struct RowBlocks {
    let rows: Int
    let rowsPerBlock: Int
    let blocksPerImage: Int

    init(rows: Int, cacheRows: Int) {
        let parts = ComputeContext.partitions
        let cacheBlocks = (rows + cacheRows - 1) / cacheRows
        let wanted = min(rows, (cacheBlocks + parts - 1) / parts * parts)
        self.rows = rows
        rowsPerBlock = (rows + wanted - 1) / wanted
        blocksPerImage = (rows + rowsPerBlock - 1) / rowsPerBlock
    }

    /// Block `block`'s rows.
    func rows(of block: Int) -> Range<Int> {
        (block * rowsPerBlock)..<min(rows, (block + 1) * rowsPerBlock)
    }
}

extension ComputeContext {
    /// Hands every (image, row block) of a batch to the threads, each thread a contiguous run
    /// (so it can allocate its scratch once for the run).
    func forEachBlockRun(batch: Int, blocks: RowBlocks, _ body: ([(image: Int, rows: Range<Int>)]) -> Void) {
        let items = batch * blocks.blocksPerImage
        let workers = min(threads, items)
        forEach(workers) { part in
            let run = ((items * part / workers)..<(items * (part + 1) / workers)).map { item in
                (image: item / blocks.blocksPerImage, rows: blocks.rows(of: item % blocks.blocksPerImage))
            }
            body(run)
        }
    }
}

