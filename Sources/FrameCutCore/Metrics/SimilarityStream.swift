import CBLAS
import Dispatch
import Foundation

/// A scalar type with a BLAS GEMM.
protocol GEMMScalar: BinaryFloatingPoint, Sendable {
    /// Row-major `C (m x n) = A (m x k) * B (n x k)^T`.
    static func gemmABt(m: Int, n: Int, k: Int, a: UnsafePointer<Self>, b: UnsafePointer<Self>, c: UnsafeMutablePointer<Self>)
}

extension Float: GEMMScalar {
    static func gemmABt(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(k), 0, c, Int32(n))
    }
}

extension Double: GEMMScalar {
    static func gemmABt(m: Int, n: Int, k: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, c: UnsafeMutablePointer<Double>) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(k), 0, c, Int32(n))
    }
}

/// Consumes runs of pairwise similarities (one row's pairs `(i, j > i)` at a time), already
/// converted to float64 and clamped to [-1, 1].
protocol PairAccumulator: Sendable {
    mutating func add(_ values: UnsafeBufferPointer<Double>)
}

/// L2-normalised rows and the blocked GEMM loop over the upper triangle of their Gram matrix.
struct SimilarityStream: Sendable {
    private enum Rows: Sendable {
        case float([Float])
        case double([Double])
    }

    private let rows: Rows
    let count: Int
    let dimension: Int

    /// Normalises the rows to unit length in the chosen precision (norms in float64).
    init<T: GEMMScalar>(rows input: [Float], count n: Int, dimension d: Int, as _: T.Type) throws {
        var out = [T](repeating: 0, count: n * d)
        for i in 0..<n {
            var ss = 0.0
            for k in 0..<d {
                let v = Double(input[i * d + k])
                guard v.isFinite else { throw MetricsError.nonFinite(what: "embeddings row \(i)", index: k) }
                ss += v * v
            }
            guard ss > 0 else { throw MetricsError.zeroNormRow(index: i) }
            let inv = 1 / ss.squareRoot()
            for k in 0..<d { out[i * d + k] = T(Double(input[i * d + k]) * inv) }
        }
        if let f = out as? [Float] { rows = .float(f) } else if let g = out as? [Double] { rows = .double(g) } else {
            throw MetricsError.invalidParameter(name: "precision", value: 0, reason: "unsupported scalar type")
        }
        count = n
        dimension = d
    }

    /// Runs one pass over all pairs with one accumulator per worker; returns the accumulators.
    func run<A: PairAccumulator>(
        options: SimilarityDistributionOptions,
        progress: (@Sendable (Double) -> Bool)?,
        make: () -> A
    ) throws -> [A] {
        switch rows {
        case .float(let r): return try Self.run(rows: r, n: count, d: dimension, options: options, progress: progress, make: make)
        case .double(let r): return try Self.run(rows: r, n: count, d: dimension, options: options, progress: progress, make: make)
        }
    }

    private static func run<T: GEMMScalar, A: PairAccumulator>(
        rows: [T], n: Int, d: Int, options: SimilarityDistributionOptions,
        progress: (@Sendable (Double) -> Bool)?, make: () -> A
    ) throws -> [A] {
        let blockRows = min(options.blockRows > 0 ? options.blockRows : autoBlockRows(n: n, scalarBytes: MemoryLayout<T>.size), n)
        let blocks = (n + blockRows - 1) / blockRows
        let available = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        let workers = max(1, min(available, blocks))
        let accumulators = UnsafeResultBuffer<A>(count: workers)
        for w in 0..<workers { accumulators.store(w, make()) }
        let schedule = BlockSchedule(blocks: blocks, totalPairs: n * (n - 1) / 2, progress: progress)

        // Several workers run their own single-threaded GEMMs; one worker lets OpenBLAS use the threads.
        BLASThreads.run(threads: workers > 1 ? 1 : available) {
        rows.withUnsafeBufferPointer { rowBuffer in
            guard let x = rowBuffer.baseAddress else { return }
            let base = UnsafeSendablePointer(pointer: x)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                guard var acc = accumulators.value(w) else { return }
                let c = UnsafeMutablePointer<T>.allocate(capacity: blockRows * n)
                let row = UnsafeMutablePointer<Double>.allocate(capacity: n)
                defer { c.deallocate(); row.deallocate() }
                while let b = schedule.next() {
                    let r0 = b * blockRows, r1 = min(n, r0 + blockRows)
                    let cols = n - r0
                    let block = base.pointer + r0 * d
                    T.gemmABt(m: r1 - r0, n: cols, k: d, a: block, b: block, c: c)
                    var pairs = 0
                    for i in r0..<r1 {
                        let start = (i - r0) * cols + (i + 1 - r0)
                        let length = n - i - 1
                        if length > 0 {
                            // One vectorisable pass: widen to float64 and clamp to [-1, 1].
                            let from = c + start
                            for k in 0..<length { row[k] = min(max(Double(from[k]), -1), 1) }
                            acc.add(UnsafeBufferPointer(start: row, count: length))
                        }
                        pairs += length
                    }
                    if !schedule.finished(pairs: pairs) { break }
                }
                accumulators.store(w, acc)
            }
        }
        }
        if schedule.cancelled { throw MetricsError.cancelled }
        return (0..<workers).compactMap { accumulators.value($0) }
    }
}

/// Rows per block when not set: large blocks amortise BLAS's packing of the long operand
/// (repacked on every call), capped at about 128 MiB of output per worker.
func autoBlockRows(n: Int, scalarBytes: Int) -> Int {
    min(1024, max(64, (128 << 20) / max(1, n * scalarBytes)))
}

/// A pointer shared read-only between workers.
struct UnsafeSendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafePointer<T>
}

/// Hands out row blocks to workers and reports progress; lock-protected.
final class BlockSchedule: @unchecked Sendable {
    private let lock = NSLock()
    private let blocks: Int
    private let totalPairs: Int
    private let progress: (@Sendable (Double) -> Bool)?
    private var nextBlock = 0
    private var pairsDone = 0
    private(set) var cancelled = false

    init(blocks: Int, totalPairs: Int, progress: (@Sendable (Double) -> Bool)?) {
        self.blocks = blocks
        self.totalPairs = totalPairs
        self.progress = progress
    }

    /// The next block to process, or nil when all are taken or the run was cancelled.
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard !cancelled, nextBlock < blocks else { return nil }
        nextBlock += 1
        return nextBlock - 1
    }

    /// Records finished pairs; false when the run was cancelled.
    func finished(pairs: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        pairsDone += pairs
        if let progress, !cancelled, !progress(Double(pairsDone) / Double(max(totalPairs, 1))) {
            cancelled = true
        }
        return !cancelled
    }
}

/// Pass 1: count, sum, sum of squares, extremes, the raw histogram, the fine histogram over
/// [-1, 1] and the counts above the cone thresholds.
struct FirstPassAccumulator: PairAccumulator {
    var count = 0
    var sum = 0.0
    var sumSquares = 0.0
    var minimum = Double.infinity
    var maximum = -Double.infinity
    var raw: Histogram
    /// The fine histogram; `fineRecent` holds counts not yet added to it (32-bit, half the
    /// cache footprint in the hot loop), flushed before it could overflow.
    var fine: [Int]
    private var fineRecent: [UInt32]
    private var recentCount = 0
    var above: [Int]
    var aboveHalf = 0
    let thresholds: [Double]

    init(rawBins: Int, lower: Double, upper: Double, fineBins: Int, thresholds: [Double]) {
        raw = Histogram(lower: lower, upper: upper, counts: [Int](repeating: 0, count: rawBins))
        fine = [Int](repeating: 0, count: fineBins)
        fineRecent = [UInt32](repeating: 0, count: fineBins)
        above = [Int](repeating: 0, count: thresholds.count)
        self.thresholds = thresholds
    }

    mutating func add(_ values: UnsafeBufferPointer<Double>) {
        guard let base = values.baseAddress, values.count > 0 else { return }
        let n = values.count
        // Moments, extremes and threshold counts, 8 lanes at a time.
        var vs = SIMD8<Double>(), vs2 = SIMD8<Double>()
        var vmin = SIMD8<Double>(repeating: .infinity), vmax = SIMD8<Double>(repeating: -.infinity)
        var vhalf = SIMD8<Int64>()
        let t0 = thresholds.count > 0 ? thresholds[0] : .infinity
        let t1 = thresholds.count > 1 ? thresholds[1] : .infinity
        let t2 = thresholds.count > 2 ? thresholds[2] : .infinity
        var va0 = SIMD8<Int64>(), va1 = SIMD8<Int64>(), va2 = SIMD8<Int64>()
        let one = SIMD8<Int64>(repeating: 1), zero = SIMD8<Int64>()
        var i = 0
        while i + 8 <= n {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Double>.self)
            vs += v
            vs2 += v * v
            vmin.replace(with: v, where: v .< vmin)
            vmax.replace(with: v, where: v .> vmax)
            vhalf &+= zero.replacing(with: one, where: v .> 0.5)
            va0 &+= zero.replacing(with: one, where: v .> t0)
            va1 &+= zero.replacing(with: one, where: v .> t1)
            va2 &+= zero.replacing(with: one, where: v .> t2)
            i += 8
        }
        var s = vs.sum(), s2 = vs2.sum(), mn = vmin.min(), mx = vmax.max()
        var half = Int(vhalf.wrappedSum())
        var a0 = Int(va0.wrappedSum()), a1 = Int(va1.wrappedSum()), a2 = Int(va2.wrappedSum())
        while i < n {
            let v = base[i]
            s += v; s2 += v * v
            mn = min(mn, v); mx = max(mx, v)
            if v > 0.5 { half += 1 }
            if v > t0 { a0 += 1 }
            if v > t1 { a1 += 1 }
            if v > t2 { a2 += 1 }
            i += 1
        }
        count += n
        sum += s
        sumSquares += s2
        minimum = min(minimum, mn)
        maximum = max(maximum, mx)
        aboveHalf += half
        let counted = [a0, a1, a2]
        for t in 0..<min(3, thresholds.count) { above[t] += counted[t] }
        for t in 3..<max(3, thresholds.count) {
            let threshold = thresholds[t]
            var c = 0
            for v in values where v > threshold { c += 1 }
            above[t] += c
        }

        // The two histograms. Raw bins follow NumPy: the bin k with edge_k <= v < edge_k+1
        // (edges as np.linspace computes them), the last bin closed.
        if recentCount + n > Int(UInt32.max) { flushFine() }
        recentCount += n
        let lower = raw.lower, upper = raw.upper
        let bins = raw.counts.count
        let step = (upper - lower) / Double(bins)
        let scale = Double(bins) / (upper - lower)
        let fineBins = fine.count
        let fineScale = Double(fineBins) / 2
        raw.withCounts { rawCounts in
            fineRecent.withUnsafeMutableBufferPointer { fineCounts in
                for v in values {
                    fineCounts[min(Int((v + 1) * fineScale), fineBins - 1)] &+= 1
                    if v >= lower && v <= upper {
                        var k = min(Int((v - lower) * scale), bins - 1)
                        if v < Double(k) * step + lower {
                            k -= 1
                        } else if k + 1 < bins && v >= Double(k + 1) * step + lower {
                            k += 1
                        }
                        rawCounts[k] += 1
                    }
                }
            }
        }
    }

    /// Moves the 32-bit recent counts into `fine`.
    mutating func flushFine() {
        for k in fine.indices where fineRecent[k] != 0 {
            fine[k] += Int(fineRecent[k])
            fineRecent[k] = 0
        }
        recentCount = 0
    }

    mutating func merge(_ other: FirstPassAccumulator) {
        var other = other
        other.flushFine()
        flushFine()
        count += other.count
        sum += other.sum
        sumSquares += other.sumSquares
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
        raw.merge(other.raw)
        for k in fine.indices { fine[k] += other.fine[k] }
        for k in above.indices { above[k] += other.above[k] }
        aboveHalf += other.aboveHalf
    }
}

/// Pass 2: the histogram of `p = (s - min) / range` over [0, 1], NumPy's binning.
struct NormalizedPassAccumulator: PairAccumulator {
    var counts: [Int]
    let minimum: Double
    let range: Double

    init(bins: Int, minimum: Double, range: Double) {
        counts = [Int](repeating: 0, count: bins)
        self.minimum = minimum
        self.range = range
    }

    mutating func add(_ values: UnsafeBufferPointer<Double>) {
        let bins = counts.count
        let mn = minimum, r = range
        let step = 1.0 / Double(bins)
        let scale = Double(bins)
        counts.withUnsafeMutableBufferPointer { c in
            for v in values {
                let p = (v - mn) / r
                guard p >= 0 && p <= 1 else { continue }
                var k = min(Int(p * scale), bins - 1)
                if p < Double(k) * step {
                    k -= 1
                } else if k + 1 < bins && p >= Double(k + 1) * step {
                    k += 1
                }
                c[k] += 1
            }
        }
    }
}
