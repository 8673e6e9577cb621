import Foundation

/// A one-dimensional Gaussian kernel density estimate with Scott's bandwidth, numerically the
/// same as SciPy's `scipy.stats.gaussian_kde(values, weights=weights)` (default
/// `bw_method="scott"`):
///
/// - weights `w` are normalised to sum 1 (equal weights when none are given);
/// - the effective count is `n_eff = 1 / sum w^2` (n for equal weights);
/// - Scott's factor is `n_eff^(-1/5)`;
/// - the kernel variance is the weighted data variance `sum w (x - m)^2 / (1 - sum w^2)`
///   (`np.cov` with `aweights`, `ddof = 1`) times the factor squared;
/// - the density at `x` is `sum_i w_i exp(-(x - x_i)^2 / (2 v)) / sqrt(2 pi v)`.
public struct GaussianKDE: Sendable, Equatable {
    /// Sample points.
    public let points: [Double]
    /// Normalised weights (sum 1).
    public let weights: [Double]
    /// `n_eff`.
    public let effectiveCount: Double
    /// Scott's factor `n_eff^(-1/5)`.
    public let factor: Double
    /// Kernel variance (SciPy's `covariance`).
    public let kernelVariance: Double

    /// Kernel standard deviation, `sqrt(kernelVariance)`.
    public var bandwidth: Double { kernelVariance.squareRoot() }

    /// Fits the estimate to `values` (optionally weighted).
    /// - Throws: `MetricsError` for fewer than 2 values, non-finite values, mismatched or
    ///   non-positive-sum weights, or zero variance (SciPy raises a singular-matrix error).
    public init(values: [Double], weights: [Double]? = nil) throws {
        guard values.count >= 2 else { throw MetricsError.tooFewItems(what: "kernel density estimate", needed: 2, actual: values.count) }
        if let bad = values.firstIndex(where: { !$0.isFinite }) { throw MetricsError.nonFinite(what: "KDE values", index: bad) }
        let w: [Double]
        if let weights {
            guard weights.count == values.count else {
                throw MetricsError.countMismatch(what: "KDE weights", expected: values.count, actual: weights.count)
            }
            let sum = weights.reduce(0, +)
            guard sum > 0, sum.isFinite, weights.allSatisfy({ $0 >= 0 }) else {
                throw MetricsError.invalidParameter(name: "KDE weights", value: sum, reason: "must be non-negative with a positive sum")
            }
            w = weights.map { $0 / sum }
        } else {
            w = [Double](repeating: 1.0 / Double(values.count), count: values.count)
        }
        var sumW2 = 0.0, mean = 0.0
        for i in values.indices { sumW2 += w[i] * w[i]; mean += w[i] * values[i] }
        var ss = 0.0
        for i in values.indices { let d = values[i] - mean; ss += w[i] * d * d }
        let variance = ss / (1 - sumW2)
        let neff = 1 / sumW2
        try self.init(points: values, normalizedWeights: w, dataVariance: variance, effectiveCount: neff)
    }

    /// An estimate from binned data: `points` are bin centres with `weights` their counts,
    /// while the bandwidth comes from the exact moments of the unbinned data (`dataVariance`
    /// with `ddof = 1`, `count` values). Used for the similarity distribution of all pairs,
    /// where the values themselves are never kept.
    public init(binCenters points: [Double], counts: [Double], dataVariance: Double, count: Double) throws {
        let sum = counts.reduce(0, +)
        guard sum > 0, points.count == counts.count else {
            throw MetricsError.invalidParameter(name: "binned KDE counts", value: sum, reason: "needs a positive total and one count per bin")
        }
        try self.init(points: points, normalizedWeights: counts.map { $0 / sum }, dataVariance: dataVariance, effectiveCount: count)
    }

    init(points: [Double], normalizedWeights: [Double], dataVariance: Double, effectiveCount: Double) throws {
        guard dataVariance > 0, dataVariance.isFinite else {
            throw MetricsError.invalidParameter(name: "KDE data variance", value: dataVariance, reason: "must be positive (all values equal?)")
        }
        self.points = points
        self.weights = normalizedWeights
        self.effectiveCount = effectiveCount
        factor = pow(effectiveCount, -1.0 / 5.0)
        kernelVariance = dataVariance * factor * factor
    }

    /// The density at each of `xs`.
    public func evaluate(_ xs: [Double]) -> [Double] {
        let inv2v = 1 / (2 * kernelVariance)
        let norm = 1 / (2 * Double.pi * kernelVariance).squareRoot()
        return xs.map { x in
            var s = 0.0
            for i in points.indices where weights[i] != 0 {
                let d = x - points[i]
                s += weights[i] * exp(-d * d * inv2v)
            }
            return s * norm
        }
    }

    /// `count` evenly spaced points from `lower` to `upper` (as `np.linspace`).
    public static func grid(lower: Double, upper: Double, count: Int) -> [Double] {
        guard count > 1 else { return count == 1 ? [lower] : [] }
        let step = (upper - lower) / Double(count - 1)
        var g = (0..<count).map { Double($0) * step + lower }
        g[count - 1] = upper
        return g
    }
}
