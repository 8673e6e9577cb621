import CFrameCutKernels
import Foundation
import Testing
@testable import FrameCutCore

/// The dense solver's speed-ups change no result: the cluster-order layout of the matrix and the
/// C kernels for every instruction set give the same bits as the plain Swift code.
@Suite("Dense solver: layout and kernels change no result")
struct DenseSpeedupTests {
    @Test("permuting the matrix moves every entry, bit for bit; bad orders are refused")
    func permutationMovesEntries() throws {
        let n = 37
        var random = TestRandom(seed: 11)
        let matrix = try SymmetricCostMatrix(nodeCount: n)
        var original = [Float](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { original[i * n + j] = Float(random.gaussian()); matrix[i, j] = original[i * n + j] } }
        var order = (0..<Int32(n)).map { $0 }
        for k in stride(from: n - 1, to: 0, by: -1) { order.swapAt(k, Int(random.next() % UInt64(k + 1))) }
        try matrix.permute(order, threads: 2)
        for s in 0..<n { for t in 0..<n { #expect(matrix[s, t].bitPattern == original[Int(order[s]) * n + Int(order[t])].bitPattern) } }
        #expect(throws: FrameCutError.self) { try matrix.permute([Int32](repeating: 0, count: n), threads: 1) }
        #expect(throws: FrameCutError.self) { try matrix.permute([0, 1], threads: 1) }
    }

    @Test("Kernighan-Lin through a layout gives the same labels as on the matrix in node order",
          arguments: [(300, 6, 0.5), (240, 3, 0.6), (200, 12, 0.4)])
    func layoutGivesSameLabels(count: Int, centres: Int, cal: Double) throws {
        let embeddings = try clusteredEmbeddings(count: count, dimension: 8, centres: centres, spread: 0.8, seed: UInt64(count))
        let source = try EmbeddingCostSource(embeddings)
        let costs = try CostFunction(cal: cal)
        let matrix = try SymmetricCostMatrix(nodeCount: count)
        _ = try source.fill(matrix, costs: costs, threads: 1)
        let start = Partition.canonicalLabels(try DenseGreedyAdditiveContraction().run(matrix).representatives)
        _ = try source.fill(matrix, costs: costs, threads: 1)
        var plain = start
        try DenseKernighanLin().run(matrix, labels: &plain, threads: 1)

        var random = TestRandom(seed: UInt64(centres))
        var order = (0..<Int32(count)).map { $0 }
        for k in stride(from: count - 1, to: 0, by: -1) { order.swapAt(k, Int(random.next() % UInt64(k + 1))) }
        try matrix.permute(order, threads: 2)
        var layout = [Int32](repeating: 0, count: count)
        for (s, v) in order.enumerated() { layout[Int(v)] = Int32(s) }
        var permuted = start
        try DenseKernighanLin().run(matrix, labels: &permuted, threads: 2, layout: layout)
        #expect(permuted == plain)
        #expect(plain != start, "Kernighan-Lin should have work to do here")
        #expect(throws: FrameCutError.self) { try DenseKernighanLin().run(matrix, labels: &permuted, layout: [0]) }
    }

    @Test("the logit kernel gives FastLog's bits with every instruction set")
    func logitKernelMatchesSwift() throws {
        var random = TestRandom(seed: 3)
        let count = 1003
        let input = (0..<count).map { _ in Float(2 * random.uniform() - 1) } + [-0.9, 0.9, -1, 1]
        let lowest = -0.9, scale = 1 / 1.8, eps = CostFunction.clipEpsilon
        for offset in [0.0, log(0.6 / 0.4), log(0.2 / 0.8)] {
            let expected = input.map { s -> UInt32 in
                var p = (Double(s) - lowest) * scale
                p = Swift.min(Swift.max(p, eps), 1 - eps)
                return Float(FastLog.log(p / (1 - p)) + offset).bitPattern
            }
            defer { DenseKernels.limit(3) }
            for level in [0, 2, 3] {
                let used = DenseKernels.limit(level)
                var values = input
                values.withUnsafeMutableBufferPointer {
                    DenseKernels.logitCosts($0.baseAddress!, count: $0.count, lowest: lowest, scale: scale, offset: offset, epsilon: eps)
                }
                #expect(values.map(\.bitPattern) == expected, "level \(used)")
            }
        }
    }

    @Test("the gain-update kernel gives the Swift loop's bits and first largest position with every instruction set")
    func gainKernelMatchesSwift() throws {
        var random = TestRandom(seed: 5)
        let rowLength = 500
        let row = (0..<rowLength).map { _ in Float(random.gaussian() * 3) }
        defer { DenseKernels.limit(3) }
        for count in [0, 1, 7, 8, 9, 31, 64, 257] {
            let columns = (0..<count).map { _ in Int32(random.next() % UInt64(rowLength)) }
            let sides = (0..<count).map { k -> Double in k % 5 == 4 ? 0 : (random.next() % 2 == 0 ? 1 : -1) }
            var start = (0..<count).map { k -> Double in sides[k] == 0 ? -.infinity : (random.gaussian() * 10).rounded() }
            if count > 3 { start[count - 1] = start.max() ?? 0 }  // ties: the first position wins
            for twice in [2.0, -2.0] {
                var expectedGains = start
                for i in 0..<count { expectedGains[i] += twice * sides[i] * Double(row[Int(columns[i])]) }
                let expectedBest = expectedGains.max() ?? -.infinity
                let expectedPosition = expectedBest > -.infinity ? (expectedGains.firstIndex(of: expectedBest) ?? -1) : -1
                for level in [0, 2, 3] {
                    let used = DenseKernels.limit(level)
                    var gains = start, sideValues = sides, columnValues = columns, rowValues = row
                    let (position, best) = gains.withUnsafeMutableBufferPointer { g in
                        sideValues.withUnsafeMutableBufferPointer { s in
                            columnValues.withUnsafeMutableBufferPointer { c in
                                rowValues.withUnsafeMutableBufferPointer { r in
                                    KLState.updateGains(g.baseAddress!, s.baseAddress!, c.baseAddress!, r.baseAddress!, twice, count)
                                }
                            }
                        }
                    }
                    #expect(gains.map(\.bitPattern) == expectedGains.map(\.bitPattern), "level \(used), count \(count)")
                    #expect(position == expectedPosition && best.bitPattern == expectedBest.bitPattern, "level \(used), count \(count)")
                }
            }
        }
    }

    @Test("the whole solve gives the same labels with the portable kernels and for any thread count")
    func solveIsIndependentOfKernelsAndThreads() throws {
        let embeddings = try clusteredEmbeddings(count: 400, dimension: 16, centres: 9, spread: 0.9, seed: 21)
        let costs = try CostFunction(cal: 0.5)
        defer { DenseKernels.limit(3) }
        var results = [[Int32]]()
        for (level, threads) in [(3, 2), (0, 1), (2, 2)] {
            DenseKernels.limit(level)
            results.append(try DenseMulticutSolver(options: MulticutOptions(algorithm: .gaecKL, threads: threads))
                .solve(try EmbeddingCostSource(embeddings), costs: costs).labels)
        }
        #expect(results[1] == results[0])
        #expect(results[2] == results[0])
    }

    @Test("GAEC's saved rows give the original costs back bit for bit; past the limit it keeps none",
          arguments: [(300, 6, 0.5), (260, 2, 0.6), (150, 20, 0.3)])
    func savedRowsRestoreTheMatrix(count: Int, centres: Int, cal: Double) throws {
        let embeddings = try clusteredEmbeddings(count: count, dimension: 8, centres: centres, spread: 0.8, seed: UInt64(count + centres))
        let source = try EmbeddingCostSource(embeddings)
        let costs = try CostFunction(cal: cal)
        let matrix = try SymmetricCostMatrix(nodeCount: count)
        _ = try source.fill(matrix, costs: costs, threads: 1)
        let original = Array(UnsafeBufferPointer(start: matrix.values, count: count * count)).map(\.bitPattern)
        let plain = try DenseGreedyAdditiveContraction().run(matrix)
        #expect(plain.original == nil)
        _ = try source.fill(matrix, costs: costs, threads: 1)
        let saving = try DenseGreedyAdditiveContraction(savedRowLimit: count).run(matrix)
        #expect(saving.representatives == plain.representatives)
        let saved = try #require(saving.original)
        #expect(saved.savedRows > 1 && saved.savedRows < count)
        #expect(Array(UnsafeBufferPointer(start: matrix.values, count: count * count)).map(\.bitPattern) != original)
        try saved.restore(matrix, threads: 2)
        #expect(Array(UnsafeBufferPointer(start: matrix.values, count: count * count)).map(\.bitPattern) == original)

        _ = try source.fill(matrix, costs: costs, threads: 1)
        let short = try DenseGreedyAdditiveContraction(savedRowLimit: saved.savedRows - 1).run(matrix)
        #expect(short.original == nil)
        #expect(short.representatives == plain.representatives)
    }

    @Test("the two-thread gain update gives the one-thread bits and first largest position with every instruction set")
    func teamKernelMatchesOneThread() throws {
        var random = TestRandom(seed: 9)
        let rowLength = 3000
        let row = (0..<rowLength).map { _ in Float(random.gaussian() * 3) }
        let team = framecut_kl_team_start()
        #expect(team != nil)
        defer { framecut_kl_team_stop(team); DenseKernels.limit(3) }
        for count in [31, 32, 33, 64, 100, 1000, 2049] {
            let columns = (0..<count).map { _ in Int32(random.next() % UInt64(rowLength)) }
            let sides = (0..<count).map { k -> Double in k % 7 == 6 ? 0 : (random.next() % 2 == 0 ? 1 : -1) }
            var start = (0..<count).map { k -> Double in sides[k] == 0 ? -.infinity : (random.gaussian() * 10).rounded() }
            // A tie between the two halves (the first position must win) and an all-masked list.
            if count > 40 { start[count - 2] = 1e6; start[3] = 1e6 }
            let masked = [Double](repeating: -.infinity, count: count)
            for (initial, twice) in [(start, 2.0), (start, -2.0), (masked, 2.0)] {
                for level in [0, 2, 3] {
                    let used = DenseKernels.limit(level)
                    var one = initial, two = initial, sideValues = sides, columnValues = columns, rowValues = row
                    var bestOne = 0.0, bestTwo = 0.0
                    let (p1, p2) = sideValues.withUnsafeMutableBufferPointer { s in
                        columnValues.withUnsafeMutableBufferPointer { c in
                            rowValues.withUnsafeMutableBufferPointer { r in
                                let p1 = one.withUnsafeMutableBufferPointer {
                                    framecut_kl_update_gains($0.baseAddress!, s.baseAddress!, c.baseAddress!, r.baseAddress!, twice, count, &bestOne)
                                }
                                let p2 = two.withUnsafeMutableBufferPointer {
                                    framecut_kl_team_update_gains(team, $0.baseAddress!, s.baseAddress!, c.baseAddress!, r.baseAddress!, twice, count, 32, &bestTwo)
                                }
                                return (p1, p2)
                            }
                        }
                    }
                    #expect(two.map(\.bitPattern) == one.map(\.bitPattern), "level \(used), count \(count)")
                    #expect(p2 == p1 && bestTwo == bestOne, "level \(used), count \(count)")
                }
            }
        }
    }

    @Test("Kernighan-Lin with sequences on two threads gives the one-thread labels",
          arguments: [(400, 3, 0.6), (360, 5, 0.5), (300, 2, 0.7)])
    func teamSequencesGiveSameLabels(count: Int, centres: Int, cal: Double) throws {
        let embeddings = try clusteredEmbeddings(count: count, dimension: 8, centres: centres, spread: 0.9, seed: UInt64(count * 3 + centres))
        let source = try EmbeddingCostSource(embeddings)
        let matrix = try SymmetricCostMatrix(nodeCount: count)
        _ = try source.fill(matrix, costs: try CostFunction(cal: cal), threads: 1)
        var random = TestRandom(seed: UInt64(count))
        // A poor start (random labels in 4 groups), so that long sequences run on large pairs.
        let start = (0..<count).map { _ in Int32(random.next() % 4) }
        var alone = start
        let passes = try DenseKernighanLin().run(matrix, labels: &alone, threads: 1)
        var kl = DenseKernighanLin()
        kl.teamPairSize = 64
        kl.teamSplit = 32
        var teamed = start
        let teamPasses = try kl.run(matrix, labels: &teamed, threads: 2)
        #expect(teamed == alone)
        #expect(teamPasses == passes)
        #expect(alone != start)
    }
}
