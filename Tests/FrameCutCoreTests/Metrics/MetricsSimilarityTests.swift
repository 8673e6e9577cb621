import Foundation
import FrameCutCore
import Testing

/// The streamed similarity distribution against NumPy / SciPy and against a dense computation.
@Suite("Metrics: similarity distribution")
struct MetricsSimilarityTests {
    static func randomEmbeddings(n: Int, d: Int, seed: UInt64, shift: Float = 1) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        let center = (0..<d).map { _ in Float(Double(rng.next() % 2000) / 1000 - 1) * shift }
        return (0..<(n * d)).map { k in center[k % d] + Float(Double(rng.next() % 2000) / 1000 - 1) }
    }

    /// All pairwise cosines `i < j` in float64, clamped to [-1, 1].
    static func denseSimilarities(_ x: [Float], n: Int, d: Int) -> [Double] {
        let rows = (0..<n).map { i -> [Double] in
            let r = (0..<d).map { Double(x[i * d + $0]) }
            let norm = r.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return r.map { $0 / norm }
        }
        var s: [Double] = []
        for i in 0..<n { for j in (i + 1)..<n {
            var dot = 0.0
            for k in 0..<d { dot += rows[i][k] * rows[j][k] }
            s.append(min(max(dot, -1), 1))
        } }
        return s
    }

    @Test func matchesNumPyAndSciPy() throws {
        let c = try MetricsFixtures.load("similarity", as: MetricsFixtures.SimilarityFile.self).case
        var options = SimilarityDistributionOptions()
        options.precision = .float64
        options.bins = c.raw_histogram_bins
        options.quantileLevels = c.quantile_levels
        options.kdePoints = c.kde_x.count
        options.blockRows = 7
        let r = try SimilarityDistribution.compute(embeddings: c.embeddings, count: c.n, dimension: c.d, options: options)
        #expect(r.pairs == c.pairs)
        #expect(close(r.raw.min, c.min) && close(r.raw.max, c.max))
        #expect(close(r.raw.mean, c.mean) && close(r.raw.std, c.std))
        #expect(close(r.mu, c.mu) && close(r.normalized.std, c.normalized_std))
        #expect(close(r.suggestedCal, c.cal_heuristic))
        #expect(r.rawHistogram.counts == c.raw_histogram)
        #expect(r.normalizedHistogramIsExact)
        #expect(r.normalizedHistogram.counts == c.normalized_histogram)
        for s in r.shareAbove {
            let want = try #require(c.share_above[String(s.threshold)])
            #expect(close(s.share, want))
        }
        // Quantiles come from the fine histogram: within its resolution.
        for (q, want) in zip(r.raw.quantiles, c.quantiles) {
            #expect(abs(q.value - want) <= 2 * r.quantileResolution, "q\(q.level): \(q.value) vs \(want)")
        }
        // The binned KDE: SciPy's bandwidth exactly, the curve to 1e-4 of its peak.
        #expect(close(r.rawDensity.bandwidth, c.kde_bandwidth))
        #expect(zip(r.rawDensity.x, c.kde_x).allSatisfy { close($0, $1) })
        let peak = c.kde_density.max() ?? 1
        for (got, want) in zip(r.rawDensity.density, c.kde_density) {
            #expect(abs(got - want) <= 1e-4 * peak, "\(got) vs \(want)")
        }
        // The exact KDE of the same similarities equals SciPy to 1e-10.
        let exact = try GaussianKDE(values: c.similarities)
        #expect(close(exact.bandwidth, c.kde_bandwidth))
        for (got, want) in zip(exact.evaluate(c.kde_x), c.kde_density) { #expect(close(got, want)) }
        // The normalised KDE is the raw one under p = (s - min) / (max - min).
        let range = c.max - c.min
        let viaRaw = exact.evaluate(r.normalizedDensity.x.map { c.min + $0 * range }).map { $0 * range }
        for (got, want) in zip(r.normalizedDensity.density, viaRaw) { #expect(abs(got - want) <= 1e-4 * (viaRaw.max() ?? 1)) }
    }

    @Test(arguments: [(1, 1), (7, 3), (64, 2), (500, 2)])
    func streamedEqualsDense(blockRows: Int, threads: Int) throws {
        let n = 150, d = 16
        let x = Self.randomEmbeddings(n: n, d: d, seed: 11)
        let dense = Self.denseSimilarities(x, n: n, d: d)
        var options = SimilarityDistributionOptions()
        options.precision = .float64
        options.blockRows = blockRows
        options.threads = threads
        options.bins = 50
        let r = try SimilarityDistribution.compute(embeddings: x, count: n, dimension: d, options: options)
        let lo = dense.min() ?? 0, hi = dense.max() ?? 0
        let mean = dense.reduce(0, +) / Double(dense.count)
        let std = (dense.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(dense.count)).squareRoot()
        #expect(r.pairs == dense.count)
        #expect(close(r.raw.min, lo, 1e-12) && close(r.raw.max, hi, 1e-12))
        #expect(close(r.raw.mean, mean, 1e-12) && close(r.raw.std, std, 1e-9))
        #expect(close(r.mu, (mean - lo) / (hi - lo), 1e-10))
        var raw = try Histogram(bins: 50, lower: -1, upper: 1)
        var normalized = try Histogram(bins: 50, lower: 0, upper: 1)
        for s in dense { raw.add(s); normalized.add((s - lo) / (hi - lo)) }
        #expect(r.rawHistogram.counts == raw.counts)
        #expect(r.normalizedHistogram.counts == normalized.counts)
        let sorted = dense.sorted()
        for q in r.raw.quantiles {
            #expect(abs(q.value - Quantiles.linear(sorted: sorted, q: q.level)) <= 2 * r.quantileResolution)
        }
        for s in r.shareAbove {
            #expect(s.share == Double(dense.filter { $0 > s.threshold }.count) / Double(dense.count))
        }
    }

    @Test func float32AndRebinnedAreClose() throws {
        let n = 200, d = 24
        let x = Self.randomEmbeddings(n: n, d: d, seed: 5, shift: 2)
        var options = SimilarityDistributionOptions()
        options.precision = .float64
        let exact = try SimilarityDistribution.compute(embeddings: x, count: n, dimension: d, options: options)
        options.precision = .float32
        options.exactNormalizedHistogram = false
        let fast = try SimilarityDistribution.compute(embeddings: x, count: n, dimension: d, options: options)
        #expect(abs(fast.raw.mean - exact.raw.mean) < 1e-6)
        #expect(abs(fast.raw.min - exact.raw.min) < 1e-6 && abs(fast.raw.max - exact.raw.max) < 1e-6)
        #expect(!fast.normalizedHistogramIsExact)
        #expect(fast.normalizedHistogram.total == exact.pairs)
        let l1 = zip(fast.normalizedHistogram.counts, exact.normalizedHistogram.counts).reduce(0) { $0 + abs($1.0 - $1.1) }
        // Only pairs within a fine bin of a coarse edge can move: well under 0.5% of them.
        #expect(l1 <= exact.pairs / 200, "rebinned histogram differs by \(l1) counts")
        let l1raw = zip(fast.rawHistogram.counts, exact.rawHistogram.counts).reduce(0) { $0 + abs($1.0 - $1.1) }
        #expect(l1raw <= 4)
        #expect(fast.narrowCone == exact.narrowCone)
    }

    @Test func narrowConeIndicator() throws {
        let cone = Self.randomEmbeddings(n: 60, d: 8, seed: 3, shift: 6)
        #expect(try SimilarityDistribution.compute(embeddings: cone, count: 60, dimension: 8).narrowCone)
        let wide = Self.randomEmbeddings(n: 60, d: 8, seed: 3, shift: 0)
        #expect(try !SimilarityDistribution.compute(embeddings: wide, count: 60, dimension: 8).narrowCone)
    }

    @Test func cancellation() throws {
        let x = Self.randomEmbeddings(n: 100, d: 4, seed: 1)
        var options = SimilarityDistributionOptions()
        options.blockRows = 10
        #expect(throws: MetricsError.cancelled) {
            try SimilarityDistribution.compute(embeddings: x, count: 100, dimension: 4, options: options) { _ in false }
        }
    }

    @Test func errors() throws {
        #expect(throws: MetricsError.tooFewItems(what: "similarity distribution", needed: 3, actual: 2)) {
            try SimilarityDistribution.compute(embeddings: [1, 0, 0, 1], count: 2, dimension: 2)
        }
        #expect(throws: MetricsError.countMismatch(what: "embeddings (3 x 2)", expected: 6, actual: 5)) {
            try SimilarityDistribution.compute(embeddings: [1, 0, 0, 1, 1], count: 3, dimension: 2)
        }
        #expect(throws: MetricsError.zeroNormRow(index: 1)) {
            try SimilarityDistribution.compute(embeddings: [1, 0, 0, 0, 1, 1], count: 3, dimension: 2)
        }
        #expect(throws: MetricsError.nonFinite(what: "embeddings row 2", index: 0)) {
            try SimilarityDistribution.compute(embeddings: [1, 0, 0, 1, .nan, 1], count: 3, dimension: 2)
        }
        // Identical directions: the one check that `cluster` shares (SimilarityRange.requireSpread).
        #expect(throws: FrameCutError.self) {
            try SimilarityDistribution.compute(embeddings: [1, 1, 2, 2, 3, 3], count: 3, dimension: 2)
        }
    }
}
