import Foundation
import Testing
import FrameCutCore

@Suite("Costs, errors and determinism")
struct SolverBehaviourTests {
    @Test func costFunctionMatchesTheFormula() throws {
        let costs = try CostFunction(cal: 0.7)
        #expect(abs(costs.offset - log(0.7 / 0.3)) < 1e-15)
        #expect(abs(costs.cost(normalizedSimilarity: 0.5) - log(0.7 / 0.3)) < 1e-15)
        // Clipping to [1e-5, 1 - 1e-5].
        #expect(abs(costs.cost(normalizedSimilarity: 0) - (log(1e-5 / (1 - 1e-5)) + costs.offset)) < 1e-10)
        #expect(abs(costs.cost(normalizedSimilarity: 1) - (log((1 - 1e-5) / 1e-5) + costs.offset)) < 1e-10)
        // A pair attracts exactly when p > 1 - cal.
        #expect(costs.cost(normalizedSimilarity: 0.31) > 0)
        #expect(costs.cost(normalizedSimilarity: 0.29) < 0)
        for bad in [0.0, 1.0, -0.1, 1.5, Double.nan] {
            #expect(throws: FrameCutError.self) { try CostFunction(cal: bad) }
        }
    }

    @Test("cost matrix equals a float64 reference; the range is exact")
    func costMatrixMatchesFloat64Reference() throws {
        let n = 57, d = 9
        let embeddings = try clusteredEmbeddings(count: n, dimension: d, centres: 3, spread: 0.7, seed: 5)
        let unit = embeddings.normalizedFloat64()
        var cosines = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var lo = Double.infinity, hi = -Double.infinity
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for c in 0..<d { s += unit[i * d + c] * unit[j * d + c] }
                cosines[i][j] = s
                if i < j { lo = min(lo, s); hi = max(hi, s) }
            }
        }
        let costs = try CostFunction(cal: 0.4)
        let source = try EmbeddingCostSource(embeddings)
        let matrix = try SymmetricCostMatrix(nodeCount: n)
        let fill = try source.fill(matrix, costs: costs, threads: 2)
        let range = try #require(fill.range)
        #expect(range.min == lo && range.max == hi)
        var total = 0.0
        var worst = 0.0
        for i in 0..<n {
            #expect(matrix[i, i] == 0)
            for j in 0..<n where i != j {
                let w = costs.cost(normalizedSimilarity: (cosines[i][j] - lo) / (hi - lo))
                worst = max(worst, abs(Double(matrix[i, j]) - w))
                #expect(matrix[i, j] == matrix[j, i])
                if i < j { total += w }
            }
        }
        #expect(worst < 1e-4, "largest cost error \(worst)")
        #expect(abs(fill.totalCost - total) < 1e-6 * abs(total))
    }

    @Test func invalidEmbeddingsAreRejected() throws {
        let nan = try Embeddings(count: 3, dimension: 2, values: [1, 0, 0, .nan, 1, 1])
        #expect(throws: FrameCutError.nonFiniteValue(row: 1, column: 1)) { try EmbeddingCostSource(nan) }
        let zero = try Embeddings(count: 3, dimension: 2, values: [1, 0, 0, 0, 1, 1])
        #expect(throws: FrameCutError.zeroNormRow(1)) { try EmbeddingCostSource(zero) }
        let single = try Embeddings(count: 1, dimension: 2, values: [1, 0])
        #expect(throws: FrameCutError.tooFewNodes(1)) { try EmbeddingCostSource(single) }
        #expect(throws: FrameCutError.self) { try Embeddings(count: 2, dimension: 3, values: [1, 2]) }
    }

    @Test func memoryLimitIsCheckedBeforeAllocating() throws {
        let embeddings = try clusteredEmbeddings(count: 100, dimension: 4, centres: 2, spread: 0.5, seed: 1)
        let solver = DenseMulticutSolver(options: MulticutOptions(memoryLimit: 1000))
        #expect(throws: FrameCutError.self) { try solver.solve(try EmbeddingCostSource(embeddings), costs: try CostFunction(cal: 0.5)) }
        do {
            _ = try solver.solve(try EmbeddingCostSource(embeddings), costs: try CostFunction(cal: 0.5))
        } catch let error as FrameCutError {
            #expect(error.description.contains("--max-memory"))
        }
    }

    @Test("same input, same labels; canonical numbering by decreasing size")
    func deterministicAndCanonical() throws {
        let embeddings = try clusteredEmbeddings(count: 300, dimension: 8, centres: 6, spread: 0.8, seed: 9)
        let costs = try CostFunction(cal: 0.5)
        let a = try DenseMulticutSolver(options: MulticutOptions(threads: 2)).solve(try EmbeddingCostSource(embeddings), costs: costs)
        let again = try DenseMulticutSolver(options: MulticutOptions(threads: 2)).solve(try EmbeddingCostSource(embeddings), costs: costs)
        #expect(a.labels == again.labels)
        #expect(a.energy == again.energy)
        // Another thread count may round the BLAS similarities differently in the last bit.
        let b = try DenseMulticutSolver(options: MulticutOptions(threads: 1)).solve(try EmbeddingCostSource(embeddings), costs: costs)
        #expect(a.labels == b.labels)
        #expect(abs(a.energy - b.energy) <= 1e-9 * abs(a.energy))
        let sizes = a.clusterSizes
        #expect(sizes == sizes.sorted(by: >))
        #expect(Partition.canonicalLabels([5, 5, 2, 9, 2, 2]) == [1, 1, 0, 2, 0, 0])
    }

    @Test("calibration shares one logit matrix: every cal gives the same result as a fresh solve")
    func precomputedLogitsMatchFreshCosts() throws {
        let embeddings = try clusteredEmbeddings(count: 120, dimension: 6, centres: 4, spread: 0.7, seed: 3)
        let source = try EmbeddingCostSource(embeddings)
        let shared = try PrecomputedCostSource.normalizedLogits(of: source, threads: 2)
        for cal in [0.3, 0.5, 0.7] {
            let costs = try CostFunction(cal: cal)
            let fresh = try DenseMulticutSolver().solve(try EmbeddingCostSource(embeddings), costs: costs)
            let reused = try DenseMulticutSolver().solve(shared, costs: costs)
            #expect(fresh.clusterCount == reused.clusterCount)
            #expect(abs(fresh.energy - reused.energy) <= 1e-5 * abs(fresh.energy))
        }
    }

    @Test func sparseGraphRejectsBadEdges() throws {
        #expect(throws: FrameCutError.nodeOutOfRange(node: 5, nodeCount: 3)) {
            try SparseGraph(nodeCount: 3, sources: [0], targets: [5], weights: [1])
        }
        #expect(throws: FrameCutError.self) { try SparseGraph(nodeCount: 3, sources: [1], targets: [1], weights: [1]) }
        #expect(throws: FrameCutError.self) { try SparseGraph(nodeCount: 3, sources: [0, 1], targets: [1, 0], weights: [1, 2]) }
        #expect(throws: FrameCutError.tooFewNodes(1)) { try SparseGraph(nodeCount: 1, sources: [], targets: [], weights: []) }
        // Missing edges are absent, not repulsive: a path of attracting edges becomes one cluster.
        let path = try SparseGraph(nodeCount: 4, sources: [0, 1, 2], targets: [1, 2, 3], weights: [1, 1, 1])
        #expect(try SparseMulticutSolver().solve(path).clusterCount == 1)
    }

    @Test func memorySizesParse() {
        #expect(MemoryBudget.parse("4G") == 4 << 30)
        #expect(MemoryBudget.parse("512MiB") == 512 << 20)
        #expect(MemoryBudget.parse("1000") == 1000)
        #expect(MemoryBudget.parse("lots") == nil)
    }
}
