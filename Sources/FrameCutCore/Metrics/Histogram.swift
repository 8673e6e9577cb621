/// A histogram with equal-width bins over `[lower, upper]`, binned exactly as NumPy's
/// `np.histogram(values, bins=count, range=(lower, upper))`: edges `lower + k * width`
/// (the last edge exactly `upper`), bins half-open `[e_k, e_k+1)` except the last, which
/// includes `upper`; values outside the range are not counted.
public struct Histogram: Sendable, Equatable, Codable {
    public let lower: Double
    public let upper: Double
    /// Count per bin.
    public private(set) var counts: [Int]

    /// An empty histogram with `bins` bins over `[lower, upper]`. When `lower == upper` the
    /// range widens to `[lower - 0.5, upper + 0.5]`, as NumPy does.
    /// - Throws: `MetricsError.invalidParameter` for no bins or an inverted / non-finite range.
    public init(bins: Int, lower: Double, upper: Double) throws {
        guard bins > 0 else {
            throw MetricsError.invalidParameter(name: "bins", value: Double(bins), reason: "must be positive")
        }
        guard lower.isFinite, upper.isFinite, lower <= upper else {
            throw MetricsError.invalidParameter(name: "histogram range", value: upper - lower, reason: "needs finite lower <= upper")
        }
        if lower == upper {
            self.lower = lower - 0.5
            self.upper = upper + 0.5
        } else {
            self.lower = lower
            self.upper = upper
        }
        counts = [Int](repeating: 0, count: bins)
    }

    /// A histogram with the given counts (e.g. merged from parts).
    public init(lower: Double, upper: Double, counts: [Int]) {
        self.lower = lower
        self.upper = upper
        self.counts = counts
    }

    /// Histogram of `values` with NumPy's default range (their min and max).
    /// - Throws: `MetricsError.empty` for no values, `.nonFinite` for NaN / infinity.
    public init(values: [Double], bins: Int) throws {
        guard let lo = values.min(), let hi = values.max() else { throw MetricsError.empty(what: "histogram values") }
        if let bad = values.firstIndex(where: { !$0.isFinite }) { throw MetricsError.nonFinite(what: "histogram values", index: bad) }
        try self.init(bins: bins, lower: lo, upper: hi)
        for v in values { add(v) }
    }

    /// Number of bins.
    public var binCount: Int { counts.count }

    /// The `binCount + 1` bin edges, computed as `np.linspace(lower, upper, bins + 1)`.
    public var edges: [Double] {
        let step = (upper - lower) / Double(counts.count)
        var e = (0...counts.count).map { Double($0) * step + lower }
        e[counts.count] = upper
        return e
    }

    /// Bin centres.
    public var centers: [Double] {
        let e = edges
        return (0..<counts.count).map { (e[$0] + e[$0 + 1]) / 2 }
    }

    /// Total number of counted values.
    public var total: Int { counts.reduce(0, +) }

    /// The bin of `x` under NumPy's rules, or nil when `x` is outside `[lower, upper]` or NaN.
    @inlinable public func bin(of x: Double) -> Int? {
        Self.bin(of: x, lower: lower, upper: upper, bins: counts.count)
    }

    /// NumPy's bin index for equal-width bins (`np.histogram`'s fast path, including its
    /// correction of rounding at the edges).
    @inlinable public static func bin(of x: Double, lower: Double, upper: Double, bins: Int) -> Int? {
        guard x >= lower && x <= upper else { return nil }
        let width = upper - lower
        var k = Int((x - lower) / width * Double(bins))
        if k == bins { k -= 1 }
        let step = width / Double(bins)
        // Edges as np.linspace computes them.
        let edge = { (j: Int) -> Double in j == bins ? upper : Double(j) * step + lower }
        if x < edge(k) { k -= 1 } else if k != bins - 1 && x >= edge(k + 1) { k += 1 }
        return k
    }

    /// Counts `x` if it lies in the range.
    public mutating func add(_ x: Double) {
        if let k = bin(of: x) { counts[k] += 1 }
    }

    /// Adds the counts of a histogram with the same bins.
    public mutating func merge(_ other: Histogram) {
        for k in counts.indices { counts[k] += other.counts[k] }
    }

    /// Mutable access to the counts for hot loops.
    mutating func withCounts<R>(_ body: (UnsafeMutableBufferPointer<Int>) -> R) -> R {
        counts.withUnsafeMutableBufferPointer { body($0) }
    }
}
