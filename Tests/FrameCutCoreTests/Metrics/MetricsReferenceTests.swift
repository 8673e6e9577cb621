import Foundation
import FrameCutCore
import Testing

/// Every metric against scikit-learn / SciPy / NumPy values (scripts/reference/metrics_reference.py).
@Suite("Metrics: reference values")
struct MetricsReferenceTests {
    static let labellings = (try? MetricsFixtures.load("labellings", as: MetricsFixtures.LabellingFile.self).cases) ?? []

    @Test func fixturesLoad() throws {
        // The generator writes 13 labelling pairs; a missing or truncated file must fail here, not
        // turn the parameterised tests below into zero cases.
        #expect(Self.labellings.count == 13)
        #expect(try MetricsFixtures.load("kde", as: MetricsFixtures.KDEFile.self).cases.count == 3)
    }

    @Test(arguments: labellings.map(\.name))
    func comparisonMatchesReference(name: String) throws {
        let c = try #require(Self.labellings.first { $0.name == name })
        let r = c.reference
        let a = Labeling(c.a), b = Labeling(c.b)
        let table = try ContingencyTable(a, b)
        #expect(table.dense() == r.contingency)
        let s = try ClusteringComparison(a, b)
        #expect(s.count == r.n)
        #expect(close(s.entropyA, r.entropy_a))
        #expect(close(s.entropyB, r.entropy_b))
        #expect(close(s.jointEntropy, r.joint_entropy))
        #expect(close(s.entropyAGivenB, r.entropy_a_given_b))
        #expect(close(s.entropyBGivenA, r.entropy_b_given_a))
        #expect(close(s.variationOfInformation, r.vi))
        #expect(close(s.mutualInformation, r.mutual_information))
        #expect(close(s.normalizedVI, r.normalized_vi))
        #expect(close(s.jointNormalizedVI, r.joint_normalized_vi))
        #expect(close(s.adjustedRandIndex, r.ari), "ARI \(s.adjustedRandIndex) vs sklearn \(r.ari)")
        #expect(close(s.purityAWithRespectToB, r.purity_a))
        #expect(close(s.purityBWithRespectToA, r.purity_b))
        let bits = try ClusteringComparison(a, b, base: .bits)
        #expect(close(bits.variationOfInformation, r.vi_bits))
        #expect(close(bits.normalizedVI, r.normalized_vi))
        // Swapping the labellings swaps the conditional entropies and keeps VI and ARI.
        let t = try ClusteringComparison(b, a)
        #expect(close(t.entropyAGivenB, r.entropy_b_given_a))
        #expect(close(t.variationOfInformation, r.vi))
        #expect(close(t.adjustedRandIndex, r.ari))
        #expect(try ContingencyTable(b, a) == table.transposed())
    }

    @Test(arguments: labellings.map(\.name))
    func clusterStatisticsMatchNumPy(name: String) throws {
        let c = try #require(Self.labellings.first { $0.name == name })
        let r = c.reference.stats_a
        let s = try ClusterStatistics(Labeling(c.a), top: 3)
        #expect(s.items == c.a.count)
        #expect(s.clusters == r.clusters)
        #expect(s.minSize == r.min)
        #expect(s.maxSize == r.max)
        #expect(close(s.meanSize, r.mean))
        #expect(close(s.medianSize, r.median))
        #expect(zip(s.quartiles, r.quartiles).allSatisfy { close($0, $1) })
        #expect(close(s.singletonShare, r.singleton_share))
        #expect(s.largest.count == min(3, r.clusters))
        #expect(s.largest.first?.size == r.max)
        #expect(zip(s.largest, s.largest.dropFirst()).allSatisfy { $0.size >= $1.size })
    }

    @Test func kdeMatchesSciPy() throws {
        for c in try MetricsFixtures.load("kde", as: MetricsFixtures.KDEFile.self).cases {
            let kde = try GaussianKDE(values: c.values, weights: c.weights)
            #expect(close(kde.factor, c.factor), "\(c.name) factor")
            #expect(close(kde.kernelVariance, c.covariance), "\(c.name) covariance")
            #expect(close(kde.effectiveCount, c.neff), "\(c.name) neff")
            let density = kde.evaluate(c.x)
            for (got, want) in zip(density, c.density) {
                #expect(close(got, want), "\(c.name): \(got) vs \(want)")
            }
        }
    }

    @Test func histogramMatchesNumPy() throws {
        for c in try MetricsFixtures.load("histograms", as: MetricsFixtures.HistogramFile.self).cases {
            var h: Histogram
            if let range = c.range {
                h = try Histogram(bins: c.bins, lower: range[0], upper: range[1])
                for v in c.values { h.add(v) }
            } else {
                h = try Histogram(values: c.values, bins: c.bins)
            }
            #expect(h.counts == c.counts, "\(c.name)")
            #expect(zip(h.edges, c.edges).allSatisfy { close($0, $1, 1e-15) }, "\(c.name) edges")
        }
    }
}
