import Foundation
import Testing
import FrameCutCore

/// The dense solver on instances of the literature with known optima (modularity maximisation
/// as a complete-graph multicut, `ModularityBenchmark`), and `--effort` (`DenseFusionSearch`).
@Suite("Known optima: modularity benchmarks and fusion rounds")
struct KnownOptimumTests {
    @Test("modularity costs: the multicut energy and the modularity agree up to the affine map")
    func energyIsModularity() throws {
        let instance = ModularityBenchmark.karateClub
        let source = try instance.costSource()
        let solver = DenseMulticutSolver(options: MulticutOptions(threads: 1))
        let twoM = Double(2 * instance.edgeCount)
        let k = instance.degrees
        var total = 0.0
        for i in 0..<instance.nodeCount { for j in (i + 1)..<instance.nodeCount { total += Double(source.base[i, j]) } }
        let constant = -k.reduce(0.0) { $0 + Double($1 * $1) } / (twoM * twoM)
        var random = TestRandom(seed: 2)
        for _ in 0..<5 {
            let labels = (0..<instance.nodeCount).map { _ in Int32(random.next() % 4) }
            let energy = try solver.energy(of: labels, source: source, costs: try CostFunction(cal: 0.5))
            let q = try instance.modularity(of: labels)
            #expect(abs(q - (constant + 2 * (total - energy) / (twoM * twoM))) < 1e-12)
        }
        #expect(abs(try instance.modularity(of: [Int32](repeating: 0, count: instance.nodeCount))) < 1e-12)
    }

    @Test("GAEC+KL with fusion rounds reaches the published optimum", arguments: ModularityBenchmark.all.map(\.name))
    func reachesKnownOptimum(name: String) throws {
        let instance = try #require(ModularityBenchmark.all.first { $0.name == name })
        let costs = try CostFunction(cal: 0.5)
        let plain = try DenseMulticutSolver(options: MulticutOptions(threads: 1)).solve(try instance.costSource(), costs: costs)
        let fused = try DenseMulticutSolver(options: MulticutOptions(threads: 1, effort: 8)).solve(try instance.costSource(), costs: costs)
        let qPlain = try instance.modularity(of: plain.labels), qFused = try instance.modularity(of: fused.labels)
        // The optimum is published to 4 places: reaching it means within rounding of it, and nothing can exceed it.
        #expect(qFused >= instance.knownOptimum - 5e-5, "\(name): \(qFused) vs optimum \(instance.knownOptimum) (plain GAEC+KL \(qPlain))")
        #expect(qFused <= instance.knownOptimum + 5e-5)
        #expect(fused.clusterCount == instance.knownClusters)
        #expect(fused.energy <= plain.energy)
    }

    @Test("fusion rounds never raise the energy, reach every brute-force optimum, and do not depend on threads")
    func fusionAgainstBruteForce() throws {
        var optimal = 0
        for seed in 0..<30 {
            var random = TestRandom(seed: UInt64(seed) &* 104_729 &+ 3)
            let n = 5 + Int(random.next() % 5)  // 5...9
            let embeddings = try clusteredEmbeddings(count: n, dimension: 3, centres: 1 + Int(random.next() % 3), spread: 0.9, seed: UInt64(seed) + 100)
            let costs = try CostFunction(cal: 0.3 + 0.4 * random.uniform())
            let source = try EmbeddingCostSource(embeddings)
            let matrix = try SymmetricCostMatrix(nodeCount: n)
            _ = try source.fill(matrix, costs: costs, threads: 1)
            let best = BruteForce.optimum(nodeCount: n) { i, j in Double(matrix[i, j]) }
            let plain = try DenseMulticutSolver(options: MulticutOptions(threads: 1)).solve(source, costs: costs)
            let one = try DenseMulticutSolver(options: MulticutOptions(threads: 1, effort: 4, seed: 9)).solve(source, costs: costs)
            let two = try DenseMulticutSolver(options: MulticutOptions(threads: 2, effort: 4, seed: 9)).solve(source, costs: costs)
            let tolerance = 1e-9 * max(1, abs(best.energy))
            #expect(one.labels == two.labels)
            #expect(one.energy <= plain.energy + tolerance)
            #expect(one.energy >= best.energy - tolerance)
            if one.energy <= best.energy + tolerance { optimal += 1 }
        }
        #expect(optimal == 30, "optimal on \(optimal) of 30")
    }
}
