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

/// Consumes runs of pairwise similarities (one row's pairs `(i, j > i)` at a time).
protocol PairAccumulator: Sendable {
    mutating func add<T: GEMMScalar>(_ values: UnsafeBufferPointer<T>)
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
        let blockRows = min(options.blockRows, n)
        let blocks = (n + blockRows - 1) / blockRows
        let available = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        let workers = max(1, min(available, blocks))
        let accumulators = UnsafeResultBuffer<A>(count: workers)
        for w in 0..<workers { accumulators.store(w, make()) }
        let schedule = BlockSchedule(blocks: blocks, totalPairs: n * (n - 1) / 2, progress: progress)

        // Each worker runs its own single-threaded GEMMs; restore OpenBLAS's threads after.
        let previousThreads = openblas_get_num_threads()
        if workers > 1 { openblas_set_num_threads(1) }
        defer { if workers > 1 { openblas_set_num_threads(previousThreads) } }

        rows.withUnsafeBufferPointer { rowBuffer in
            guard let x = rowBuffer.baseAddress else { return }
            let base = UnsafeSendablePointer(pointer: x)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                guard var acc = accumulators.value(w) else { return }
                let c = UnsafeMutablePointer<T>.allocate(capacity: blockRows * n)
                defer { c.deallocate() }
                while let b = schedule.next() {
                    let r0 = b * blockRows, r1 = min(n, r0 + blockRows)
                    let cols = n - r0
                    let block = base.pointer + r0 * d
                    T.gemmABt(m: r1 - r0, n: cols, k: d, a: block, b: block, c: c)
                    var pairs = 0
                    for i in r0..<r1 {
                        let start = (i - r0) * cols + (i + 1 - r0)
                        let length = n - i - 1
                        if length > 0 { acc.add(UnsafeBufferPointer(start: c + start, count: length)) }
                        pairs += length
                    }
                    if !schedule.finished(pairs: pairs) { break }
                }
                accumulators.store(w, acc)
            }
        }
        if schedule.cancelled { throw MetricsError.cancelled }
        return (0..<workers).compactMap { accumulators.value($0) }
    }
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
    var fine: [Int]
    var above: [Int]
    var aboveHalf = 0
    let thresholds: [Double]

    init(rawBins: Int, lower: Double, upper: Double, fineBins: Int, thresholds: [Double]) {
        raw = Histogram(lower: lower, upper: upper, counts: [Int](repeating: 0, count: rawBins))
        fine = [Int](repeating: 0, count: fineBins)
        above = [Int](repeating: 0, count: thresholds.count)
        self.thresholds = thresholds
    }

    mutating func add<T: GEMMScalar>(_ values: UnsafeBufferPointer<T>) {
        let lower = raw.lower, upper = raw.upper
        let bins = raw.counts.count
        let width = upper - lower
        let step = width / Double(bins)
        let fineBins = fine.count
        let fineScale = Double(fineBins) / 2
        var s = 0.0, s2 = 0.0, mn = minimum, mx = maximum, half = 0
        let thresholdCount = thresholds.count
        raw.withCounts { rawCounts in
            fine.withUnsafeMutableBufferPointer { fineCounts in
                above.withUnsafeMutableBufferPointer { aboveCounts in
                    for x in values {
                        let v = min(max(Double(x), -1), 1)
                        s += v
                        s2 += v * v
                        if v < mn { mn = v }
                        if v > mx { mx = v }
                        if v > 0.5 { half += 1 }
                        fineCounts[min(Int((v + 1) * fineScale), fineBins - 1)] += 1
                        if v >= lower && v <= upper {
                            var k = Int((v - lower) / width * Double(bins))
                            if k == bins { k -= 1 }
                            let e0 = Double(k) * step + lower
                            let e1 = k + 1 == bins ? upper : Double(k + 1) * step + lower
                            if v < e0 { k -= 1 } else if k != bins - 1 && v >= e1 { k += 1 }
                            rawCounts[k] += 1
                        }
                        for t in 0..<thresholdCount where v > thresholds[t] { aboveCounts[t] += 1 }
                    }
                }
            }
        }
        count += values.count
        sum += s
        sumSquares += s2
        minimum = mn
        maximum = mx
        aboveHalf += half
    }

    mutating func merge(_ other: FirstPassAccumulator) {
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

    mutating func add<T: GEMMScalar>(_ values: UnsafeBufferPointer<T>) {
        let bins = counts.count
        let mn = minimum, r = range
        counts.withUnsafeMutableBufferPointer { c in
            for x in values {
                let v = min(max(Double(x), -1), 1)
                let p = (v - mn) / r
                if let k = Histogram.bin(of: p, lower: 0, upper: 1, bins: bins) { c[k] += 1 }
            }
        }
    }
}
