import Foundation
import Testing
import FrameCutCore

@Suite("Multicut against brute force")
struct BruteForceTests {
    @Test("dense GAEC+KL never beats the optimum, is never worse than GAEC, and usually finds it")
    func denseAgainstBruteForce() throws {
        var optimal = 0
        var instances = 0
        for seed in 0..<60 {
            var random = TestRandom(seed: UInt64(seed) &* 7919 &+ 1)
            let n = 3 + Int(random.next() % 7)  // 3...9
            let embeddings = try clusteredEmbeddings(count: n, dimension: 3, centres: 1 + Int(random.next() % 3), spread: 0.6, seed: UInt64(seed))
            let cal = 0.3 + 0.4 * random.uniform()
            let costs = try CostFunction(cal: cal)
            let source = try EmbeddingCostSource(embeddings)
            let matrix = try SymmetricCostMatrix(nodeCount: n)
            _ = try source.fill(matrix, costs: costs, threads: 1)
            let best = BruteForce.optimum(nodeCount: n) { i, j in Double(matrix[i, j]) }

            let solution = try DenseMulticutSolver(options: MulticutOptions(algorithm: .gaecKL, threads: 1)).solve(source, costs: costs)
            let gaec = try DenseMulticutSolver(options: MulticutOptions(algorithm: .gaec, threads: 1)).solve(source, costs: costs)
            let tolerance = 1e-9 * max(1, abs(best.energy))
            #expect(solution.energy >= best.energy - tolerance, "KL beat the optimum (n \(n), seed \(seed))")
            #expect(solution.energy <= gaec.energy + tolerance)
            #expect(gaec.energy == solution.energyGAEC)
            // The reported energy is the energy of the reported labels.
            var recomputed = 0.0
            for i in 0..<n { for j in (i + 1)..<n where solution.labels[i] != solution.labels[j] { recomputed += Double(matrix[i, j]) } }
            #expect(abs(recomputed - solution.energy) <= tolerance)
            if solution.energy <= best.energy + tolerance { optimal += 1 }
            instances += 1
        }
        // Exact count for these fixed seeds (a local search may miss the optimum; here it never
        // does): a change of solver that loses an optimum shows up as a failure.
        #expect(optimal == 60, "optimal on \(optimal) of \(instances)")
    }

    @Test("sparse GAEC+KL never beats the optimum, is never worse than GAEC, and usually finds it")
    func sparseAgainstBruteForce() throws {
        var optimal = 0
        let instances = 60
        for seed in 0..<instances {
            var random = TestRandom(seed: UInt64(seed) &+ 1000)
            let n = 3 + Int(random.next() % 7)
            var sources = [Int32](), targets = [Int32](), weights = [Double]()
            for i in 0..<n {
                for j in (i + 1)..<n where random.uniform() < 0.7 {
                    sources.append(Int32(i)); targets.append(Int32(j)); weights.append(random.gaussian())
                }
            }
            let graph = try SparseGraph(nodeCount: n, sources: sources, targets: targets, weights: weights)
            var lookup = [Int: Double]()
            for e in 0..<graph.edgeCount { lookup[Int(sources[e]) * n + Int(targets[e])] = weights[e] }
            let best = BruteForce.optimum(nodeCount: n) { i, j in lookup[i * n + j] }
            let solution = try SparseMulticutSolver(algorithm: .gaecKL).solve(graph)
            let gaec = try SparseMulticutSolver(algorithm: .gaec).solve(graph)
            #expect(solution.energy >= best.energy - 1e-9)
            #expect(solution.energy <= gaec.energy + 1e-9)
            #expect(abs(try graph.energy(of: solution.labels) - solution.energy) < 1e-9)
            if solution.energy <= best.energy + 1e-9 { optimal += 1 }
        }
        // Exact count for these fixed seeds: sparse GAEC+KL misses the optimum on 3 of the 60
        // (local search; GAEC's greedy joins there cannot be undone by single-node moves).
        #expect(optimal == 57, "optimal on \(optimal) of \(instances)")
    }

    @Test("dense and sparse solvers agree on complete graphs")
    func denseMatchesSparseOnCompleteGraphs() throws {
        for seed in 0..<10 {
            let embeddings = try clusteredEmbeddings(count: 40, dimension: 5, centres: 4, spread: 0.5, seed: UInt64(seed))
            let costs = try CostFunction(cal: 0.5)
            let source = try EmbeddingCostSource(embeddings)
            let matrix = try SymmetricCostMatrix(nodeCount: 40)
            _ = try source.fill(matrix, costs: costs, threads: 1)
            var s = [Int32](), t = [Int32](), w = [Double]()
            for i in 0..<40 { for j in (i + 1)..<40 { s.append(Int32(i)); t.append(Int32(j)); w.append(Double(matrix[i, j])) } }
            let graph = try SparseGraph(nodeCount: 40, sources: s, targets: t, weights: w)
            let dense = try DenseMulticutSolver(options: MulticutOptions(algorithm: .gaec, threads: 1)).solve(source, costs: costs)
            let sparse = try SparseMulticutSolver(algorithm: .gaec).solve(graph)
            #expect(dense.labels == sparse.labels, "GAEC differs on seed \(seed)")
            #expect(abs(dense.energy - sparse.energy) < 1e-6)
        }
    }
}
