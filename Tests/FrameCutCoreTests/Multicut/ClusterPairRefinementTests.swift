import Foundation
import Testing
@testable import FrameCutCore

@Suite("Large-scale multicut: exact pair refinement, one-pass range")
struct ClusterPairRefinementTests {
    static func data(count: Int, dimension: Int, classes: Int, seed: UInt64) throws -> (Embeddings, [Int32]) {
        let generated = try SyntheticEmbeddings.clustered(count: count, dimension: dimension, classes: classes, spread: 0.6, seed: seed)
        return (generated.embeddings, generated.classes)
    }

    /// The paper model with its exact range, and a scanner over the normalised rows.
    static func prepared(_ data: Embeddings, threads: Int = 2) throws -> (PaperPairCostModel, SimilarityScanner) {
        let scanner = try SimilarityScanner(vectors: data.normalizedFloat32(), count: data.count, dimension: data.dimension, threads: threads)
        var model = PaperPairCostModel(costs: try CostFunction(cal: 0.5))
        _ = try model.prepare(data, scanner: scanner)
        return (model, scanner)
    }

    @Test("the range found with the neighbours equals the separate range pass; same graph")
    func rangeInKNNPass() throws {
        let (data, _) = try Self.data(count: 300, dimension: 12, classes: 6, seed: 4)
        for threads in [1, 2] {
            let scanner = try SimilarityScanner(vectors: data.normalizedFloat32(), count: 300, dimension: 12, threads: threads)
            let (graph, extremes) = try KNNGraph.withRowExtremes(scanner: scanner, k: 7)
            let plain = try KNNGraph(scanner: scanner, k: 7)
            #expect(graph.neighbors == plain.neighbors && graph.offsets == plain.offsets && graph.similarities == plain.similarities)
            let range = try scanner.exactRange(data, rowExtremes: extremes)
            #expect(range == (try scanner.exactRange(data)))
        }
        let outcome = try LargeScaleMulticutSolver(options: LargeScaleOptions(k: 7, threads: 2))
            .solve(data, model: PaperPairCostModel(costs: try CostFunction(cal: 0.5)))
        #expect(outcome.streamedPasses == 1, "kNN + range in one upper-triangle pass, the exact energy in another")
        let separate = try SimilarityScanner(vectors: data.normalizedFloat32(), count: 300, dimension: 12, threads: 1).exactRange(data)
        #expect(outcome.solution.range == separate)
        #expect(outcome.stages.map(\.name).contains("range + kNN") && outcome.stages.contains { $0.name == "pair refinement" })
    }

    @Test("pair refinement never raises the energy, and the energy changes by exactly the sub-problems' change")
    func neverRaisesEnergy() throws {
        let n = 400
        let (data, classes) = try Self.data(count: n, dimension: 16, classes: 8, seed: 12)
        let (model, scanner) = try Self.prepared(data)
        let graph = try KNNGraph(scanner: scanner, k: 8)
        // Start from the classes with every fifth node moved to the next class: a poor border.
        var labels = classes
        for i in stride(from: 0, to: n, by: 5) { labels[i] = (classes[i] + 1) % 8 }
        var used = Set(labels)
        var free = (0..<Int32(n)).filter { !used.contains($0) }.reversed().map { $0 }
        let before = try StreamedEnergy.energies(of: [labels], model: model, scanner: scanner).energies[0]
        let outcome = try ClusterPairRefinement.run(labels: &labels, free: &free, aggregates: nil, graph: graph, model: model,
                                                    scanner: scanner, limit: 4096, threads: 2)
        let after = try StreamedEnergy.energies(of: [labels], model: model, scanner: scanner).energies[0]
        #expect(outcome.improved > 0)
        #expect(after < before)
        #expect(abs((after - before) - outcome.energyChange) <= 1e-5 * abs(before), "streamed change \(after - before) vs \(outcome.energyChange)")
        used = Set(labels)
        #expect(Set(free).isDisjoint(with: used), "free slots are empty")
        // A second run from the result changes nothing it cannot improve, and never raises the energy.
        var again = labels
        _ = try ClusterPairRefinement.run(labels: &again, free: &free, aggregates: nil, graph: graph, model: model,
                                          scanner: scanner, limit: 4096, threads: 2)
        let third = try StreamedEnergy.energies(of: [again], model: model, scanner: scanner).energies[0]
        #expect(third <= after + 1e-9 * abs(after))
    }

    @Test("group step: small clusters pieced from several classes are reassembled; the energy drops by exactly the sub-problems' change")
    func groupStep() throws {
        let n = 400
        let (data, classes) = try Self.data(count: n, dimension: 16, classes: 8, seed: 21)
        let (model, scanner) = try Self.prepared(data)
        let graph = try KNNGraph(scanner: scanner, k: 8)
        // Every class cut into five small pieces, every seventh node in the next class's piece.
        let start = (0..<n).map { i -> Int32 in
            let c = i % 7 == 0 ? (classes[i] + 1) % 8 : classes[i]
            return c * 5 + Int32(i % 5)
        }
        var results: [[Int32]] = []
        for threads in [1, 2] {
            var labels = start
            let used = Set(labels)
            var free = (0..<Int32(n)).filter { !used.contains($0) }.reversed().map { $0 }
            let before = try StreamedEnergy.energies(of: [labels], model: model, scanner: scanner).energies[0]
            let outcome = try ClusterGroupRefinement.run(labels: &labels, free: &free, aggregates: nil, graph: graph, model: model,
                                                         scanner: scanner, threads: threads, memoryLimit: MemoryBudget.defaultLimit)
            let after = try StreamedEnergy.energies(of: [labels], model: model, scanner: scanner).energies[0]
            #expect(outcome.improved > 0 && after < before)
            #expect(abs((after - before) - outcome.energyChange) <= 1e-5 * abs(before), "streamed change \(after - before) vs \(outcome.energyChange)")
            #expect(Set(free).isDisjoint(with: Set(labels)), "free slots are empty")
            #expect(Set(labels).count < Set(start).count)
            results.append(labels)
        }
        #expect(results[0] == results[1], "labels independent of the thread count")
    }

    @Test("on a small union the pair step reaches the brute-force optimum of the sub-problem")
    func matchesBruteForce() throws {
        // Three groups of three points, split wrongly between two clusters.
        let n = 9, d = 4
        var values = [Float](repeating: 0, count: n * d)
        var random = SeededGenerator(seed: 5)
        for i in 0..<n {
            let group = i / 3
            for c in 0..<d {
                let noise = Float(Double(random.next() >> 11) / Double(1 << 53) - 0.5) * 0.3
                values[i * d + c] = (c == group ? 1 : 0) + noise
            }
        }
        let data = try Embeddings(count: n, dimension: d, values: values)
        let (model, scanner) = try Self.prepared(data)
        let graph = try KNNGraph(scanner: scanner, k: 2)
        var labels: [Int32] = [0, 0, 0, 0, 1, 1, 1, 1, 1]
        var free = (2..<Int32(n)).reversed().map { $0 }
        _ = try ClusterPairRefinement.run(labels: &labels, free: &free, aggregates: nil, graph: graph, model: model,
                                          scanner: scanner, limit: 64, threads: 1)
        let got = try StreamedEnergy.energies(of: [labels], model: model, scanner: scanner).energies[0]
        // Brute force over every partition of the nine nodes (restricted growth strings).
        var best = Double.infinity
        var partition = [Int32](repeating: 0, count: n)
        func visit(_ i: Int, _ blocks: Int32) throws {
            if i == n {
                best = min(best, try StreamedEnergy.energies(of: [partition], model: model, scanner: scanner).energies[0])
                return
            }
            for b in 0...blocks {
                partition[i] = b
                try visit(i + 1, max(blocks, b + 1))
            }
        }
        partition[0] = 0
        try visit(1, 1)
        #expect(abs(got - best) <= 1e-6 * abs(best), "pair step \(got), optimum \(best)")
    }

    @Test("two attracting clusters without a kNN edge between them are joined by the pair step")
    func joinsAttractingNonAdjacent() throws {
        // Groups A (0..<20) and B (20..<40) close together, C (40..<60) far: with k = 3 no kNN
        // edge joins A and B, yet their exact sum attracts (the dense solver joins them).
        let n = 60, d = 3
        var values = [Float](repeating: 0, count: n * d)
        var random = SeededGenerator(seed: 17)
        let centres: [[Float]] = [[1, 0.2, 0], [1, -0.2, 0], [-1, 0, 1]]
        for i in 0..<n {
            for c in 0..<d { values[i * d + c] = centres[i / 20][c] + Float(Double(random.next() >> 11) / Double(1 << 53) - 0.5) * 0.02 }
        }
        let data = try Embeddings(count: n, dimension: d, values: values)
        let (model, scanner) = try Self.prepared(data)
        let graph = try KNNGraph(scanner: scanner, k: 3)
        for i in 0..<20 { for e in graph.offsets[i]..<graph.offsets[i + 1] { #expect(graph.neighbors[Int(e)] < 20) } }
        var labels = (0..<n).map { Int32($0 / 20) }
        var free = (3..<Int32(n)).reversed().map { $0 }
        let fit = AffineCostFit.fit(model: model, vectors: scanner.vectors, dimension: d, graph: graph)
        let before = try StreamedEnergy.energies(of: [labels], model: model, scanner: scanner).energies[0]
        let outcome = try scanner.vectors.withUnsafeBufferPointer { v in
            let aggregates = ClusterAggregates(labels: labels, vectors: v, dimension: d, nodeFeatures: [], fit: fit)
            #expect(aggregates.affine(0, 1) > 0)
            return try ClusterPairRefinement.run(labels: &labels, free: &free, aggregates: aggregates, graph: graph, model: model,
                                                 scanner: scanner, limit: 4096, threads: 2, minEdges: 3)
        }
        let after = try StreamedEnergy.energies(of: [labels], model: model, scanner: scanner).energies[0]
        #expect(outcome.improved >= 1)
        #expect(Set(labels[0..<40]).count == 1, "A and B joined")
        #expect(after < before)
    }

    @Test("the solver with the pair step: energy no higher than without it, identical for any thread count, memory counted")
    func solverWithPairStep() throws {
        let (data, _) = try Self.data(count: 400, dimension: 16, classes: 10, seed: 31)
        let model = PaperPairCostModel(costs: try CostFunction(cal: 0.5))
        let without = try LargeScaleMulticutSolver(options: LargeScaleOptions(k: 8, threads: 2, pairLimit: 0)).solve(data, model: model)
        let runs = try [1, 3].map { threads in
            try LargeScaleMulticutSolver(options: LargeScaleOptions(k: 8, threads: threads)).solve(data, model: model)
        }
        #expect(runs[0].solution.energy <= without.solution.energy + 1e-9 * abs(without.solution.energy))
        for r in runs.dropFirst() {
            #expect(r.solution.labels == runs[0].solution.labels)
            #expect(r.solution.energy == runs[0].solution.energy)
        }
        let exact = try DenseMulticutSolver().energy(of: runs[0].solution.labels, source: try EmbeddingCostSource(data), costs: try CostFunction(cal: 0.5))
        #expect(abs(exact - runs[0].solution.energy) <= 1e-6 * abs(exact), "the reported energy is the exact one")
        let base = LargeScaleMulticutSolver.estimatedBytes(count: 1000, dimension: 64, k: 8, threads: 2, splitLimit: 0)
        let withPairs = LargeScaleMulticutSolver.estimatedBytes(count: 100_000, dimension: 64, k: 8, threads: 2, splitLimit: 0, pairLimit: 4096)
        #expect(withPairs > base + 2 * 4096 * 4096 * 4)
        #expect(throws: FrameCutError.self) {
            try LargeScaleMulticutSolver(options: LargeScaleOptions(k: 8, threads: 2, memoryLimit: 8 << 20, pairLimit: 4096)).solve(data, model: model)
        }
    }

    @Test("the pair bound falls from 8192 to 4096 nodes, then the exact moves' tracked nodes halve, to fit the memory limit")
    func limitsFollowTheMemoryLimit() {
        let n = 20_000, d = 768
        func limits(_ memory: UInt64, _ algorithm: MulticutAlgorithm = .gaecKL) -> [Int] {
            let chosen = LargeScaleMulticutSolver(options: LargeScaleOptions(k: 32, algorithm: algorithm, threads: 2, memoryLimit: memory))
                .effectiveLimits(count: n, dimension: d)
            return [chosen.pair, chosen.tracked]
        }
        func bytes(_ pair: Int, _ tracked: Int) -> UInt64 {
            LargeScaleMulticutSolver.estimatedBytes(count: n, dimension: d, k: 32, threads: 2, splitLimit: 0, pairLimit: pair, trackedLimit: tracked)
        }
        #expect(LargeScaleOptions.defaultPairLimit == 8192)
        let full = bytes(8192, 4096)
        #expect(limits(full) == [8192, 4096])
        #expect(limits(full - 1) == [4096, 4096])
        #expect(limits(bytes(4096, 4096) - 1) == [4096, 2048])
        #expect(limits(bytes(4096, 256)) == [4096, 256])
        #expect(limits(bytes(4096, 256) - 1) == [4096, 0])
        #expect(limits(full, .gaec) == [0, 4096])
        let asked = LargeScaleMulticutSolver(options: LargeScaleOptions(k: 32, threads: 2, memoryLimit: 1, pairLimit: 2048))
        #expect(asked.effectiveLimits(count: n, dimension: d).pair == 2048, "a bound at or below 4096 is kept as asked")
    }
}
