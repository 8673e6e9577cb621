import Foundation
import Testing
@testable import FrameCutCore

/// Kernighan-Lin skips the pair and split passes that found nothing on the same members (a
/// pass's outcome depends only on its clusters' members): the labels, and so the energies, are
/// those of the search that runs every pass, and the result is a fixed point of the search.
@Suite("Dense Kernighan-Lin: skipped passes change no result")
struct DenseKernighanLinPruningTests {
    /// Random Gaussian costs (seeds even) or clustered embeddings' logit costs (odd), 20 to 239 nodes.
    static func costs(seed: UInt64) throws -> SymmetricCostMatrix {
        var random = TestRandom(seed: seed &* 2654435761 &+ 17)
        let n = 20 + Int(random.next() % 220)
        let matrix = try SymmetricCostMatrix(nodeCount: n)
        if seed % 2 == 0 {
            for i in 0..<n {
                matrix[i, i] = 0  // a new matrix is not cleared
                for j in (i + 1)..<n { matrix[i, j] = Float(random.gaussian() + 0.3); matrix[j, i] = matrix[i, j] }
            }
        } else {
            let embeddings = try clusteredEmbeddings(count: n, dimension: 6, centres: 2 + Int(random.next() % 8),
                                                     spread: 0.6 + 0.6 * random.uniform(), seed: seed)
            _ = try EmbeddingCostSource(embeddings).fill(matrix, costs: try CostFunction(cal: 0.35 + 0.35 * random.uniform()), threads: 1)
        }
        return matrix
    }

    /// The costs and a start: random groups (seed % 4 < 2, a poor start with much to do) or GAEC's.
    static func instance(seed: UInt64) throws -> (SymmetricCostMatrix, [Int32]) {
        let matrix = try costs(seed: seed)
        var random = TestRandom(seed: seed &+ 99)
        if seed % 4 < 2 {
            let groups = UInt64(1 + random.next() % 6)
            return (matrix, (0..<matrix.nodeCount).map { _ in Int32(random.next() % groups) })
        }
        let start = Partition.canonicalLabels(try DenseGreedyAdditiveContraction().run(matrix).representatives)
        return (try costs(seed: seed), start)  // GAEC overwrote the matrix
    }

    static func energy(_ matrix: SymmetricCostMatrix, _ labels: [Int32]) -> Double {
        var total = 0.0
        for i in 0..<labels.count { for j in (i + 1)..<labels.count where labels[i] != labels[j] { total += Double(matrix[i, j]) } }
        return total
    }

    @Test("on random instances the labels equal the unpruned search's, some passes are skipped, and a fixed point is reached")
    func sameLabelsAsUnprunedSearch() throws {
        var skippedSomewhere = 0
        for seed in UInt64(0)..<24 {
            let (matrix, start) = try Self.instance(seed: seed)
            var plainSearch = DenseKernighanLin()
            plainSearch.skipsFailedPasses = false
            var plain = start
            let plainRun = try plainSearch.search(matrix, labels: &plain, threads: 1)
            #expect(plainRun.skipped == 0)
            for threads in [1, 2] {
                var pruned = start
                let prunedRun = try DenseKernighanLin().search(matrix, labels: &pruned, threads: threads)
                #expect(pruned == plain, "seed \(seed), \(threads) threads")
                #expect(prunedRun.passes == plainRun.passes, "seed \(seed)")
                if threads == 1, prunedRun.skipped > 0 { skippedSomewhere += 1 }
            }
            #expect(Self.energy(matrix, plain) <= Self.energy(matrix, start) + 1e-9 * Swift.max(1, abs(Self.energy(matrix, start))), "seed \(seed)")
            // A fixed point: a second search from the result changes nothing.
            var again = plain
            try DenseKernighanLin().run(matrix, labels: &again, threads: 1)
            #expect(Partition.canonicalLabels(again) == Partition.canonicalLabels(plain), "seed \(seed)")
        }
        #expect(skippedSomewhere >= 12, "passes skipped on \(skippedSomewhere) of 24 instances")
    }

    @Test("the middle stage (sequences of up to 1024 moves without improvement) ends at a fixed point and loses no energy on random instances")
    func middleStage() throws {
        var lower = 0, equal = 0, higher = 0
        for seed in UInt64(100)..<124 {
            let (matrix, start) = try Self.instance(seed: seed)
            var unstaged = DenseKernighanLin()
            unstaged.middlePatience = 0
            // Lower stage limits than the default, so that these small instances meet all three.
            unstaged.patience = 4
            var staged = unstaged
            staged.middlePatience = 16
            var plain = start, labels = start
            try unstaged.run(matrix, labels: &plain, threads: 1)
            try staged.run(matrix, labels: &labels, threads: 2)
            let (e0, e1) = (Self.energy(matrix, plain), Self.energy(matrix, labels))
            let tolerance = 1e-9 * Swift.max(1, abs(e0))
            if e1 < e0 - tolerance { lower += 1 } else if e1 > e0 + tolerance { higher += 1 } else { equal += 1 }
            var again = labels
            try staged.run(matrix, labels: &again, threads: 1)
            #expect(Partition.canonicalLabels(again) == Partition.canonicalLabels(labels), "seed \(seed)")
            var full = labels
            try unstaged.run(matrix, labels: &full, threads: 1)
            #expect(Partition.canonicalLabels(full) == Partition.canonicalLabels(labels), "seed \(seed): not a fixed point of the unstaged search")
        }
        print("middle stage: lower \(lower), equal \(equal), higher \(higher)")
        #expect(higher == 0, "lower \(lower), equal \(equal), higher \(higher)")
    }

    @Test("a middle-stage sequence that the patience stopped and that the unlimited stage continues gives the labels of a new start")
    func resumedSequences() throws {
        var resumedSomewhere = 0
        for seed in UInt64(200)..<224 {
            let (matrix, start) = try Self.instance(seed: seed)
            var restarting = DenseKernighanLin()
            restarting.patience = 2
            restarting.middlePatience = 6
            restarting.resumesSequences = false
            var plain = start
            let plainRun = try restarting.search(matrix, labels: &plain, threads: 1)
            #expect(plainRun.resumed == 0)
            var resuming = restarting
            resuming.resumesSequences = true
            for threads in [1, 2] {
                var labels = start
                let run = try resuming.search(matrix, labels: &labels, threads: threads)
                #expect(labels == plain, "seed \(seed), \(threads) threads")
                #expect(run.passes == plainRun.passes, "seed \(seed)")
                if threads == 1, run.resumed > 0 { resumedSomewhere += 1 }
            }
        }
        #expect(resumedSomewhere >= 12, "sequences continued on \(resumedSomewhere) of 24 instances")
    }
}
