import Foundation
import FrameCutCore
import Testing

/// Small examples whose values are known by hand, and the error cases.
@Suite("Metrics: hand-checked examples")
struct MetricsHandCheckedTests {
    @Test func identicalClusteringsHaveZeroVI() throws {
        let a = Labeling([0, 0, 1, 2, 2, 2, 3])
        let s = try ClusteringComparison(a, a)
        #expect(s.variationOfInformation == 0)
        #expect(s.adjustedRandIndex == 1)
        #expect(s.purityAWithRespectToB == 1)
        // Renaming clusters changes nothing.
        let renamed = Labeling([7, 7, 3, 9, 9, 9, -1])
        #expect(try ClusteringComparison(a, renamed).variationOfInformation == 0)
    }

    @Test(arguments: [2, 5, 10, 1000])
    func oneClusterVersusSingletonsIsLogN(n: Int) throws {
        let one = Labeling([Int](repeating: 0, count: n))
        let singletons = Labeling(Array(0..<n))
        let s = try ClusteringComparison(one, singletons)
        #expect(close(s.variationOfInformation, log(Double(n)), 1e-12))
        #expect(s.entropyAGivenB == 0)
        #expect(close(s.entropyBGivenA, log(Double(n)), 1e-12))
        #expect(close(s.normalizedVI, 1, 1e-12))
        #expect(close(try ClusteringComparison(one, singletons, base: .bits).variationOfInformation, log2(Double(n)), 1e-12))
    }

    @Test func twoByTwoExample() throws {
        // Clusters {0,1},{2,3} vs classes {0,2},{1,3}: H(A|B) = H(B|A) = ln 2, ARI = -0.5.
        let s = try ClusteringComparison(Labeling([0, 0, 1, 1]), Labeling([0, 1, 0, 1]))
        #expect(close(s.entropyAGivenB, log(2.0), 1e-14))
        #expect(close(s.variationOfInformation, 2 * log(2.0), 1e-14))
        #expect(close(s.adjustedRandIndex, -0.5, 1e-14))
        #expect(s.purityAWithRespectToB == 0.5)
    }

    @Test func errors() throws {
        #expect(throws: MetricsError.countMismatch(what: "contingency table: second labelling", expected: 3, actual: 2)) {
            try ClusteringComparison(Labeling([0, 1, 2]), Labeling([0, 1]))
        }
        #expect(throws: MetricsError.empty(what: "contingency table: labelling")) {
            try ClusteringComparison(Labeling([]), Labeling([]))
        }
        #expect(throws: MetricsError.empty(what: "clustering")) { try ClusterStatistics(Labeling([])) }
        #expect(throws: MetricsError.labelOutOfRange(index: 1, label: 5, clusterCount: 2)) {
            try Labeling(dense: [0, 5], clusterCount: 2)
        }
        #expect(throws: MetricsError.self) { try ClusterOverlap(Labeling([0]), Labeling([0]), threshold: 0) }
        #expect(throws: MetricsError.self) { try ComparisonMatrix([]) }
        #expect(throws: MetricsError.self) { try ComparisonMatrix([Labeling([0, 1]), Labeling([0])]) }
        #expect(throws: MetricsError.self) { try GaussianKDE(values: [1, 1, 1]) }
        #expect(throws: MetricsError.self) { try GaussianKDE(values: [1]) }
        #expect(throws: MetricsError.self) { try Histogram(bins: 0, lower: 0, upper: 1) }
    }

    @Test func labelingDensification() throws {
        let (l, raw) = Labeling.make([10, -2, 10, 7])
        #expect(l.labels == [2, 0, 2, 1])
        #expect(raw == [-2, 7, 10])
        let (s, names) = Labeling.make(["cat", "dog", "ant", "cat"])
        #expect(s.labels == [1, 2, 0, 1])
        #expect(names == ["ant", "cat", "dog"])
        // A wide range takes the sorting path and gives the same order.
        let wide = Labeling.make([1 << 40, 0, 1 << 40, -(1 << 40)])
        #expect(wide.labeling.labels == [2, 1, 2, 0])
        #expect(l.sizes == [1, 1, 2])
        #expect(l.members == [[1], [3], [0, 2]])
        #expect(l.subset([0, 3]).labels == [1, 0])
    }

    @Test func clusterStatisticsExample() throws {
        // Sizes 4, 2, 1, 1: median 1.5, mean 2, two singletons = 2 of 8 items.
        let s = try ClusterStatistics(Labeling([0, 0, 0, 0, 1, 1, 2, 3]), top: 2)
        #expect(s.clusters == 4)
        #expect(s.minSize == 1 && s.maxSize == 4)
        #expect(s.medianSize == 1.5 && s.meanSize == 2)
        #expect(s.singletonClusters == 2 && s.singletonShare == 0.25)
        #expect(s.largest.map(\.cluster) == [0, 1] && s.largest.map(\.size) == [4, 2])
        // Ties in size list the smaller cluster id first.
        #expect(try ClusterStatistics(Labeling([1, 0]), top: 5).largest.map(\.cluster) == [0, 1])
    }

    @Test func labelAgreementExample() throws {
        // Clusters: 0 = {a,a,a} clean, 1 = {b,b} clean, 2 = {a,c,c} mixed, 3 = {d} clean.
        let clusters = Labeling([0, 0, 0, 1, 1, 2, 2, 2, 3])
        let classes = Labeling([0, 0, 0, 1, 1, 0, 2, 2, 3])
        let g = try LabelAgreement(clusters: clusters, classes: classes)
        #expect(g.items == 9 && g.clusters == 4 && g.classes == 4)
        #expect(g.cleanClusters == 3)
        #expect(g.cleanClusterShare == 0.75)
        #expect(close(g.itemsInCleanClustersShare, 6.0 / 9.0, 1e-15))
        #expect(g.mixedClusters.count == 1)
        let mixed = try #require(g.mixedClusters.first)
        #expect(mixed.cluster == 2 && mixed.size == 3)
        #expect(mixed.composition.map(\.classID) == [2, 0] && mixed.composition.map(\.count) == [2, 1])
        #expect(g.classesNeverMixed == [1, 3])
        #expect(g.mixingPairs.map { [$0.classA, $0.classB, $0.sharedClusters] } == [[0, 2, 1]])
        #expect(g.classSizes == [4, 2, 2, 1])
        #expect(close(g.purity, 8.0 / 9.0, 1e-15))
        let s = try ClusteringComparison(clusters, classes)
        #expect(g.clusterEntropyGivenClass == s.entropyAGivenB)
        #expect(g.classEntropyGivenCluster == s.entropyBGivenA)
        #expect(close(g.variationOfInformation, s.variationOfInformation, 1e-15))
    }

    @Test func overlapExample() throws {
        // A: {0..9} {10..14} {15..19}; B: {0..8} {9..13} {14..19}.
        let a = Labeling((0..<20).map { $0 < 10 ? 0 : ($0 < 15 ? 1 : 2) })
        let b = Labeling((0..<20).map { $0 < 9 ? 0 : ($0 < 14 ? 1 : 2) })
        let o = try ClusterOverlap(a, b, threshold: 0.8)
        #expect(o.matches.count == 3)
        let first = o.matches[0]
        #expect(first.clusterA == 0 && first.clusterB == 0 && first.intersection == 9)
        #expect(first.alike)
        #expect(first.shared == Array(0..<9) && first.onlyA == [9] && first.onlyB.isEmpty)
        #expect(close(first.jaccard, 0.9, 1e-15))
        // A1 = {10..14} vs B1 = {9..13}: 4 shared of 5 each: alike at 0.8.
        let m1 = try #require(o.matches.first { $0.clusterA == 1 })
        #expect(m1.intersection == 4 && m1.coverageA == 0.8 && m1.coverageB == 0.8 && m1.alike)
        #expect(m1.onlyA == [14] && m1.onlyB == [9])
        // A2 = {15..19} in B2 = {14..19}: coverage 1 and 5/6.
        let m2 = try #require(o.matches.first { $0.clusterA == 2 })
        #expect(m2.alike && m2.onlyB == [14])
        #expect(o.alikePairs == 3)
        #expect(close(o.itemsInAlikePairsShare, 18.0 / 20.0, 1e-15))
        // A stricter threshold keeps only the first pair; members are listed only for alike
        // pairs unless asked.
        let strict = try ClusterOverlap(a, b, threshold: 0.85)
        #expect(strict.alikePairs == 1)
        #expect(strict.matches.first { $0.clusterA == 1 }?.shared.isEmpty == true)
        let all = try ClusterOverlap(a, b, threshold: 0.85, includeMembers: true)
        #expect(all.matches.first { $0.clusterA == 1 }?.shared == [10, 11, 12, 13])
    }

    @Test func comparisonMatrixIsSymmetricAndMatchesPairs() throws {
        var rng = SeededGenerator(seed: 7)
        let labelings = (0..<5).map { k in Labeling((0..<300).map { _ in Int(rng.next() % UInt64(3 + 4 * k)) }) }
        let m = try ComparisonMatrix(labelings)
        #expect(m.size == 5 && m.clusters == labelings.map(\.clusterCount))
        for i in 0..<5 {
            #expect(m.variationOfInformation[i][i] == 0 && m.adjustedRandIndex[i][i] == 1)
            for j in 0..<5 where j != i {
                let s = try ClusteringComparison(labelings[i], labelings[j])
                #expect(m.variationOfInformation[i][j] == m.variationOfInformation[j][i])
                #expect(close(m.variationOfInformation[i][j], s.variationOfInformation, 1e-14))
                #expect(close(m.adjustedRandIndex[i][j], s.adjustedRandIndex, 1e-14))
                #expect(close(m.normalizedVI[i][j], s.normalizedVI, 1e-14))
            }
        }
        // VI is a metric: the triangle inequality holds.
        for i in 0..<5 { for j in 0..<5 { for k in 0..<5 {
            #expect(m.variationOfInformation[i][k] <= m.variationOfInformation[i][j] + m.variationOfInformation[j][k] + 1e-12)
        } } }
    }

    @Test func calHeuristic() {
        #expect(close(CalHeuristic.rawCal(mu: 0.5), 0.45, 1e-15))
        #expect(CalHeuristic.cal(mu: 0.99) == 0.01)
        #expect(CalHeuristic.cal(mu: 0) == 0.94)
    }
}
