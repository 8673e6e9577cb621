import CBLAS
import Dispatch
import Foundation

/// Floating-point precision of the similarity GEMM.
public enum SimilarityPrecision: String, Sendable, Codable, CaseIterable {
    /// `cblas_sgemm` on float32 rows (fast; the default).
    case float32
    /// `cblas_dgemm` on float64 rows (about half the speed; matches a float64 reference).
    case float64
}

/// Settings of `SimilarityDistribution.compute`.
public struct SimilarityDistributionOptions: Sendable {
    /// Bins of the raw and the normalised histogram.
    public var bins = 200
    /// Range of the raw-cosine histogram (fixed, so histograms of different models share bins).
    public var rawRange: ClosedRange<Double> = -1...1
    /// Points of each KDE grid.
    public var kdePoints = 512
    /// Quantile levels reported for the raw and normalised similarities.
    public var quantileLevels: [Double] = [0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999]
    /// Raw-cosine thresholds for the "narrow cone" shares.
    public var coneThresholds: [Double] = [0.5, 0.8, 0.9]
    public var precision: SimilarityPrecision = .float32
    /// Compute the normalised histogram exactly with a second GEMM pass (true), or rebin it
    /// from the fine histogram (false). `nil`: exact for at most 10,000 items.
    public var exactNormalizedHistogram: Bool? = nil
    /// Rows per GEMM block (memory per worker: `blockRows * n` values); 0 chooses up to 1024
    /// rows within about 128 MiB per worker.
    public var blockRows = 0
    /// Worker threads; 0 means one per active processor.
    public var threads = 0
    /// Bins of the internal fine histogram over [-1, 1] that quantiles, KDEs and the rebinned
    /// normalised histogram come from (resolution `2 / fineBins`).
    public var fineBins = 1 << 18

    public init() {}
}

/// The distribution of the cosine similarities of all pairs `i < j` of an embedding set
/// (supplement Figures 8-10), streamed in row blocks through BLAS so no n^2 list is kept.
///
/// Exact (equal to a dense computation up to floating-point summation order): pair count,
/// min, max, mean, standard deviation, `mu`, the shares above the cone thresholds, the raw
/// histogram and, when `normalizedHistogramIsExact`, the normalised one. From a fine
/// histogram of `fineBins` bins (so within `quantileResolution` of the exact value):
/// quantiles. The KDE curves are SciPy's `gaussian_kde` (Scott's bandwidth from the exact
/// variance and pair count) evaluated on the fine histogram binned to 1/32 of the bandwidth.
/// Cosines are clamped to [-1, 1] first (rounding can push them slightly past 1).
public struct SimilarityDistribution: Sendable, Codable {
    /// Min, max, mean, standard deviation (ddof 0) and quantiles of one distribution.
    public struct Summary: Sendable, Codable, Equatable {
        public let min: Double
        public let max: Double
        public let mean: Double
        public let std: Double
        public let quantiles: [Quantile]
    }

    public struct Quantile: Sendable, Codable, Equatable {
        public let level: Double
        public let value: Double
    }

    /// A KDE curve: `density[k]` at `x[k]`.
    public struct Density: Sendable, Codable, Equatable {
        public let x: [Double]
        public let density: [Double]
        /// Kernel standard deviation.
        public let bandwidth: Double
    }

    /// Share of pairs whose raw cosine exceeds `threshold`.
    public struct ShareAbove: Sendable, Codable, Equatable {
        public let threshold: Double
        public let share: Double
    }

    public let items: Int
    public let dimension: Int
    /// Number of pairs, n (n - 1) / 2.
    public let pairs: Int
    public let precision: SimilarityPrecision
    /// Raw cosine similarities.
    public let raw: Summary
    /// Min-max normalised similarities `p = (s - min) / (max - min)`.
    public let normalized: Summary
    /// Mean of `p`.
    public let mu: Double
    /// `CalHeuristic.cal(mu:)`.
    public let suggestedCal: Double
    /// Shares of pairs above each cone threshold.
    public let shareAbove: [ShareAbove]
    /// The "narrow cone" indicator: more than half of all pairs have raw cosine above 0.5.
    public let narrowCone: Bool
    public let rawHistogram: Histogram
    public let normalizedHistogram: Histogram
    public let normalizedHistogramIsExact: Bool
    /// KDE of the raw cosines over [min, max] and of `p` over [0, 1].
    public let rawDensity: Density
    public let normalizedDensity: Density
    /// Width of the fine histogram's bins (the quantiles' resolution in raw cosine).
    public let quantileResolution: Double

    /// Streams all pairwise cosine similarities of `n` row-major embeddings of width `d`.
    /// - Parameters:
    ///   - embeddings: `n * d` values, one row per item (need not be normalised).
    ///   - progress: called from worker threads with the fraction of pairs done; return false
    ///     to cancel.
    /// - Throws: `MetricsError` for a size mismatch, fewer than 3 items, non-finite values,
    ///   zero-norm rows, invalid options, all similarities equal, or cancellation.
    public static func compute(
        embeddings: [Float], count n: Int, dimension d: Int,
        options: SimilarityDistributionOptions = .init(),
        progress: (@Sendable (Double) -> Bool)? = nil
    ) throws -> SimilarityDistribution {
        guard n >= 3 else { throw MetricsError.tooFewItems(what: "similarity distribution", needed: 3, actual: n) }
        guard d >= 1, embeddings.count == n * d else {
            throw MetricsError.countMismatch(what: "embeddings (\(n) x \(d))", expected: n * d, actual: embeddings.count)
        }
        guard options.bins > 0, options.kdePoints >= 2, options.fineBins >= 2, options.blockRows >= 0 else {
            throw MetricsError.invalidParameter(name: "similarity options", value: Double(options.bins), reason: "bins and kdePoints, fineBins (>= 2) must be positive, blockRows not negative")
        }
        if let bad = options.quantileLevels.first(where: { !($0 >= 0 && $0 <= 1) }) {
            throw MetricsError.invalidParameter(name: "quantile level", value: bad, reason: "must lie in [0, 1]")
        }
        let exactNormalized = options.exactNormalizedHistogram ?? (n <= 10_000)
        let stream: SimilarityStream
        switch options.precision {
        case .float32: stream = try SimilarityStream(rows: embeddings, count: n, dimension: d, as: Float.self)
        case .float64: stream = try SimilarityStream(rows: embeddings, count: n, dimension: d, as: Double.self)
        }
        let pairs = n * (n - 1) / 2
        let passes = exactNormalized ? 2.0 : 1.0

        // Pass 1: moments, extremes, raw histogram, fine histogram, cone shares.
        let rawBins = options.bins
        let lo = options.rawRange.lowerBound, hi = options.rawRange.upperBound
        let fineBins = options.fineBins
        let thresholds = options.coneThresholds
        let pass1 = try stream.run(options: options, progress: progress.map { p in { @Sendable f in p(f / passes) } }) {
            FirstPassAccumulator(rawBins: rawBins, lower: lo, upper: hi, fineBins: fineBins, thresholds: thresholds)
        }
        var acc = pass1[0]
        acc.flushFine()
        for other in pass1.dropFirst() { acc.merge(other) }

        let count = Double(acc.count)
        let minS = acc.minimum, maxS = acc.maximum
        try SimilarityRange(min: minS, max: maxS).requireSpread()
        let range = maxS - minS
        let mean = acc.sum / count
        let variancePop = max(0, acc.sumSquares / count - mean * mean)
        let std = variancePop.squareRoot()
        let fineWidth = 2.0 / Double(fineBins)

        // Quantiles from the fine histogram: NumPy's linear rule between the values of ranks
        // floor(q (N - 1)) and the next, each placed uniformly within its fine bin.
        let fine = acc.fine
        var cumulative = [Int](repeating: 0, count: fineBins + 1)
        for k in 0..<fineBins { cumulative[k + 1] = cumulative[k] + fine[k] }
        func valueOfRank(_ rank: Int) -> Double {
            // The bin holding the rank-th smallest value: first with cumulative count > rank.
            var a = 0, b = fineBins - 1
            while a < b {
                let m = (a + b) / 2
                if cumulative[m + 1] > rank { b = m } else { a = m + 1 }
            }
            let within = (Double(rank - cumulative[a]) + 0.5) / Double(max(fine[a], 1))
            let v = -1 + (Double(a) + within) * fineWidth
            return min(max(v, minS), maxS)
        }
        func quantile(_ q: Double) -> Double {
            let position = q * (count - 1)
            let lower = Int(position.rounded(.down))
            let upper = min(lower + 1, acc.count - 1)
            let a = valueOfRank(lower), b = valueOfRank(upper)
            return a + (b - a) * (position - Double(lower))
        }
        let rawQuantiles = options.quantileLevels.map { Quantile(level: $0, value: quantile($0)) }
        let raw = Summary(min: minS, max: maxS, mean: mean, std: std, quantiles: rawQuantiles)
        let mu = (mean - minS) / range
        let normalized = Summary(
            min: 0, max: 1, mean: mu, std: std / range,
            quantiles: rawQuantiles.map { Quantile(level: $0.level, value: ($0.value - minS) / range) })

        // Normalised histogram: exact second pass, or rebinned from the fine histogram.
        var normalizedHistogram = try Histogram(bins: rawBins, lower: 0, upper: 1)
        if exactNormalized {
            let pass2 = try stream.run(options: options, progress: progress.map { p in { @Sendable f in p(0.5 + f / 2) } }) {
                NormalizedPassAccumulator(bins: rawBins, minimum: minS, range: range)
            }
            for part in pass2 { normalizedHistogram.merge(Histogram(lower: 0, upper: 1, counts: part.counts)) }
        } else {
            var counts = [Int](repeating: 0, count: rawBins)
            for k in 0..<fineBins where fine[k] > 0 {
                let center = -1 + (Double(k) + 0.5) * fineWidth
                let p = min(max((center - minS) / range, 0), 1)
                counts[Histogram.bin(of: p, lower: 0, upper: 1, bins: rawBins) ?? (rawBins - 1)] += fine[k]
            }
            normalizedHistogram = Histogram(lower: 0, upper: 1, counts: counts)
        }

        // KDEs: Scott's bandwidth from the exact variance (ddof 1) and pair count, evaluated on
        // the fine histogram grouped into bins of at most 1/32 bandwidth.
        let varianceSample = count > 1 ? variancePop * count / (count - 1) : 0
        let rawGrid = GaussianKDE.grid(lower: minS, upper: maxS, count: options.kdePoints)
        var rawDensity = Density(x: rawGrid, density: [Double](repeating: 0, count: rawGrid.count), bandwidth: 0)
        var normalizedDensity = Density(x: GaussianKDE.grid(lower: 0, upper: 1, count: options.kdePoints),
                                        density: rawDensity.density, bandwidth: 0)
        if varianceSample > 0 {
            let bw = (varianceSample * pow(count, -2.0 / 5.0)).squareRoot()
            var group = 1
            while group * 2 <= fineBins && Double(group * 2) * fineWidth <= bw / 32 { group *= 2 }
            var centers: [Double] = [], weights: [Double] = []
            var k = 0
            while k < fineBins {
                var c = 0, s = 0.0
                for j in k..<min(k + group, fineBins) where fine[j] > 0 {
                    c += fine[j]
                    s += Double(fine[j]) * (-1 + (Double(j) + 0.5) * fineWidth)
                }
                if c > 0 { centers.append(s / Double(c)); weights.append(Double(c)) }
                k += group
            }
            let kde = try GaussianKDE(binCenters: centers, counts: weights, dataVariance: varianceSample, count: count)
            let densities = kde.evaluate(rawGrid)
            rawDensity = Density(x: rawGrid, density: densities, bandwidth: kde.bandwidth)
            // p = (s - min) / range is affine, so its KDE is the raw one rescaled.
            let pDensities = kde.evaluate(normalizedDensity.x.map { minS + $0 * range }).map { $0 * range }
            normalizedDensity = Density(x: normalizedDensity.x, density: pDensities, bandwidth: kde.bandwidth / range)
        }

        let shares = zip(thresholds, acc.above).map { ShareAbove(threshold: $0, share: Double($1) / count) }
        let aboveHalf = Double(acc.aboveHalf) / count
        return SimilarityDistribution(
            items: n, dimension: d, pairs: pairs, precision: options.precision,
            raw: raw, normalized: normalized, mu: mu, suggestedCal: CalHeuristic.cal(mu: mu),
            shareAbove: shares, narrowCone: aboveHalf > 0.5,
            rawHistogram: Histogram(lower: acc.raw.lower, upper: acc.raw.upper, counts: acc.raw.counts),
            normalizedHistogram: normalizedHistogram, normalizedHistogramIsExact: exactNormalized,
            rawDensity: rawDensity, normalizedDensity: normalizedDensity, quantileResolution: fineWidth)
    }

    init(items: Int, dimension: Int, pairs: Int, precision: SimilarityPrecision, raw: Summary,
         normalized: Summary, mu: Double, suggestedCal: Double, shareAbove: [ShareAbove],
         narrowCone: Bool, rawHistogram: Histogram, normalizedHistogram: Histogram,
         normalizedHistogramIsExact: Bool, rawDensity: Density, normalizedDensity: Density,
         quantileResolution: Double) {
        self.items = items
        self.dimension = dimension
        self.pairs = pairs
        self.precision = precision
        self.raw = raw
        self.normalized = normalized
        self.mu = mu
        self.suggestedCal = suggestedCal
        self.shareAbove = shareAbove
        self.narrowCone = narrowCone
        self.rawHistogram = rawHistogram
        self.normalizedHistogram = normalizedHistogram
        self.normalizedHistogramIsExact = normalizedHistogramIsExact
        self.rawDensity = rawDensity
        self.normalizedDensity = normalizedDensity
        self.quantileResolution = quantileResolution
    }
}
