import Foundation
import Testing
@testable import FrameCutCore

@Suite("Label-free costs on the large-scale solver: exact decomposition, close to dense")
struct FuzzyModularityLargeScaleTests {
    @Test("the streamed graph equals the dense source's; far pairs cost -q_i q_j exactly; streamed energy equals the dense matrix's")
    func decompositionIsExact() throws {
        let n = 500, d = 16
        let data = try SyntheticEmbeddings.clustered(count: n, dimension: d, classes: 8, spread: 0.6, seed: 5).embeddings
        let source = try FuzzyModularityCostSource(data)
        let (graph, costs) = try source.fit(threads: 2)
        let scanner = try SimilarityScanner(vectors: data.normalizedFloat32(), count: n, dimension: d, threads: 2)
        var model = try FuzzyModularityPairCostModel()
        _ = try model.prepare(data, scanner: scanner)
        let streamed = try #require(model.graph)
        #expect(streamed.offsets == graph.offsets && streamed.columns == graph.columns)
        #expect(zip(streamed.memberships, graph.memberships).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(abs(streamed.totalDegree - graph.totalDegree) < 1e-6 * graph.totalDegree)
        // The same graph from the solver's kNN lists (no pass of its own).
        var handed = try FuzzyModularityPairCostModel()
        #expect(handed.nearestNeighbourCount == 15)
        try handed.setNearestNeighbours(try KNNGraph.withRowNeighbours(scanner: scanner, k: 20, collectExtremes: false).lists)
        #expect(handed.nearestNeighbourCount == nil)
        let fromLists = try #require(handed.graph)
        #expect(fromLists.offsets == streamed.offsets && fromLists.columns == streamed.columns && fromLists.memberships == streamed.memberships)
        #expect(model.exactFarCost == AffineCostFit(a: 0, b: 0, c: 0, product: -1))
        // A pair outside the graph costs -q_i q_j; one inside mu_ij - q_i q_j.
        let i = 3, far = (0..<n).first { $0 != i && model.membership(i, $0) == 0 } ?? 0
        let near = Int(graph.columns[graph.offsets[i]])
        #expect(abs(model.cost(similarity: 0, i: i, j: far) + costs.scaledDegrees[i] * costs.scaledDegrees[far]) < 1e-6)
        #expect(abs(model.cost(similarity: 0, i: i, j: near) - costs.cost(i, near, membership: graph.memberships[graph.offsets[i]])) < 1e-5)
        // Energies of the same labels: streamed (transformRow) against the dense matrix.
        var random = SeededGenerator(seed: 4)
        let labels = (0..<n).map { _ in Int32(random.next() % 9) }
        let dense = try DenseMulticutSolver(options: MulticutOptions(threads: 2)).solve(source, costs: try CostFunction(cal: 0.5))
        let check = try StreamedEnergy.energies(of: [dense.labels, labels], model: model, scanner: scanner)
        let denseRandom = try DenseMulticutSolver().energy(of: labels, source: source, costs: try CostFunction(cal: 0.5))
        #expect(abs(check.energies[0] - dense.energy) <= 1e-4 * abs(dense.energy))
        #expect(abs(check.energies[1] - denseRandom) <= 1e-4 * max(1, abs(denseRandom)))
    }

    @Test("large-scale against dense on 2000 overlapping points: energy gap and VI small; cluster --solver-scale large path records the model")
    func largeScaleCloseToDense() throws {
        let n = 2000, d = 32
        let data = try SyntheticEmbeddings.clustered(count: n, dimension: d, classes: 12, spread: 0.6, seed: 17).embeddings
        let options = MulticutOptions(algorithm: .gaecKL, threads: 2)
        let dense = try ScaledMulticutSolver(options: options, scale: .dense).solve(data, model: .auto)
        let large = try ScaledMulticutSolver(options: options, scale: .large, k: 8).solve(data, model: .auto)
        #expect(large.result.largeScale?.k == 15, "k raised to the neighbour count")
        #expect(large.result.largeScale?.streamedPasses == 1, "the fuzzy graph from the kNN pass: kNN and energy, half a pass each")
        #expect(large.costs.model == "fuzzy-modularity" && large.costs.parameters["edges"] == dense.costs.parameters["edges"])
        let e = dense.result.solution.energy, el = large.result.solution.energy
        let gap = (el - e) / abs(e)
        let vi = try ClusteringComparison(Labeling(dense: dense.result.solution.labels, clusterCount: dense.result.solution.clusterCount),
                                          Labeling(dense: large.result.solution.labels, clusterCount: large.result.solution.clusterCount)).variationOfInformation
        print("fuzzy-modularity n=\(n): dense \(dense.result.solution.clusterCount) clusters energy \(e); large \(large.result.solution.clusterCount) energy \(el); gap \(gap), VI \(vi)")
        #expect(gap < 1e-3, "energy \(el) vs dense \(e)")
        #expect(vi < 0.05, "VI \(vi)")
        // The reported energy is the exact one of the returned labels under the dense matrix.
        let exact = try DenseMulticutSolver().energy(of: large.result.solution.labels, source: try CostModel.auto.source(for: data), costs: try CostFunction(cal: 0.5))
        #expect(abs(exact - el) <= 1e-4 * abs(exact))
    }

    @Test("the split step re-solves a cluster densely: one cluster of 600 points becomes its classes, the exact energy drops by the sub-problem's")
    func splitStep() throws {
        let n = 600, d = 16
        let data = try SyntheticEmbeddings.clustered(count: n, dimension: d, classes: 6, spread: 0.5, seed: 8).embeddings
        let scanner = try SimilarityScanner(vectors: data.normalizedFloat32(), count: n, dimension: d, threads: 2)
        var model = try FuzzyModularityPairCostModel()
        _ = try model.prepare(data, scanner: scanner)
        var labels = [Int32](repeating: 0, count: n)
        let features = (0..<n).map { model.nodeFeature($0) ?? 0 }
        let fit = try #require(model.exactFarCost)
        var free = (1..<n).reversed().map { Int32($0) }
        let before = try StreamedEnergy.energies(of: [labels], model: model, scanner: scanner).energies[0]
        let split = try scanner.vectors.withUnsafeBufferPointer { v in
            let aggregates = ClusterAggregates(labels: labels, vectors: v, dimension: d, nodeFeatures: features, fit: fit)
            let split = try ClusterSplit.run(labels: &labels, free: &free, aggregates: aggregates, model: model, scanner: scanner,
                                             limit: n, threads: 2, memoryLimit: MemoryBudget.defaultLimit)
            #expect((0..<n).filter { aggregates.sizes[$0] > 0 }.count == Set(labels).count)
            return split
        }
        #expect(split == 1 && Set(labels).count >= 6)
        let after = try StreamedEnergy.energies(of: [labels], model: model, scanner: scanner).energies[0]
        #expect(after < before - 1, "energy \(before) -> \(after)")
        // Too large for the limit: left alone.
        var whole = [Int32](repeating: 0, count: n)
        var none = free
        let skipped = try scanner.vectors.withUnsafeBufferPointer { v in
            try ClusterSplit.run(labels: &whole, free: &none, aggregates: ClusterAggregates(labels: whole, vectors: v, dimension: d, nodeFeatures: features, fit: fit),
                                 model: model, scanner: scanner, limit: n - 1, threads: 2, memoryLimit: MemoryBudget.defaultLimit)
        }
        #expect(skipped == 0 && Set(whole) == [0])
    }
}
