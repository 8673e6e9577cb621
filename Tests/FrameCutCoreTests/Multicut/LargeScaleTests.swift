import Foundation
import Testing
@testable import FrameCutCore

/// A cost model that is exactly affine with per-node terms: the fit must recover it.
private struct AffineTestModel: PairCostModel {
    var name: String { "affine-test" }
    func prepare(_ embeddings: Embeddings, scanner: SimilarityScanner) throws -> [Float] { scanner.vectors }
    func cost(similarity: Double, i: Int, j: Int) -> Double { 0.3 - 2 * similarity + 0.5 * (feature(i) + feature(j)) }
    func nodeFeature(_ i: Int) -> Double? { feature(i) }
    func feature(_ i: Int) -> Double { Double(i % 3) }
}

private func dot(_ v: [Float], _ i: Int, _ j: Int, _ d: Int) -> Double {
    var s = 0.0
    for c in 0..<d {
        let x = Double(v[i * d + c]), y = Double(v[j * d + c])
        s += x * y
    }
    return s
}

@Suite("Large-scale multicut: kNN, streamed energy, aggregates")
struct LargeScaleTests {
    static func embeddings(count: Int, dimension: Int, classes: Int, seed: UInt64) throws -> Embeddings {
        try SyntheticEmbeddings.clustered(count: count, dimension: dimension, classes: classes, seed: seed).embeddings
    }

    @Test("kNN graph equals brute force, ties broken by index")
    func knnMatchesBruteForce() throws {
        let n = 150, d = 8, k = 6
        var values = try Self.embeddings(count: n, dimension: d, classes: 5, seed: 3).values
        // Duplicate rows make exact ties.
        for c in 0..<d { values[10 * d + c] = values[20 * d + c]; values[30 * d + c] = values[20 * d + c] }
        let data = try Embeddings(count: n, dimension: d, values: values)
        let unit = data.normalizedFloat32()
        for threads in [1, 2] {
            let scanner = try SimilarityScanner(vectors: unit, count: n, dimension: d, threads: threads)
            let graph = try KNNGraph(scanner: scanner, k: k)
            // Brute force with the same float32 GEMM values is not available; use float64 dots of the
            // float32 vectors and compare neighbour sets where the k-th value is not a near tie.
            var expected = [Set<Int>](repeating: [], count: n)
            var kth = [Double](repeating: 0, count: n)
            for i in 0..<n {
                var order: [(Double, Int)] = []
                for j in 0..<n where j != i { order.append((dot(unit, i, j, d), j)) }
                order.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
                kth[i] = order[k - 1].0
                for t in 0..<k { expected[i].insert(order[t].1); expected[order[t].1].insert(i) }
            }
            for i in 0..<n {
                let got = Set(graph.neighbors[graph.offsets[i]..<graph.offsets[i + 1]].map { Int($0) })
                // Differences only where float32 rounding decides a near tie at the k-th value.
                for j in got.symmetricDifference(expected[i]) {
                    let s = dot(unit, i, j, d)
                    #expect(abs(s - kth[i]) < 1e-6 || abs(s - kth[j]) < 1e-6, "node \(i), neighbour \(j)")
                }
                for e in graph.offsets[i]..<graph.offsets[i + 1] {
                    let j = Int(graph.neighbors[e])
                    #expect(graph.similarities[e] == dot(unit, i, j, d))
                    #expect(graph.contains(j, i))
                }
            }
            #expect(graph.offsets[n] >= n * k)
            #expect(graph.edgeCount * 2 == graph.neighbors.count)
        }
    }

    /// Row-by-row exact top-k over full rows of the same float32 values (the selection before the
    /// triangular pass): indices by similarity descending, then index ascending.
    static func rowPassTopK(_ scanner: SimilarityScanner, k: Int) -> [Int32] {
        let n = scanner.count
        return scanner.mapBlocks(upperOnly: false) { r0, rows, _, block -> [Int32] in
            var out = [Int32]()
            for r in 0..<rows {
                var order: [(Float, Int32)] = []
                for j in 0..<n where j != r0 + r { order.append((block[r * n + j], Int32(j))) }
                order.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
                out += order.prefix(k).map(\.1)
            }
            return out
        }.flatMap { $0 }
    }

    @Test("triangular kNN pass: exact top-k with ties, equal to brute force and to a row-by-row pass, any thread count")
    func triangularKNNPass() throws {
        // Integer coordinates: every dot product is exact in float32, with many exact ties.
        let n = 1100, d = 6, k = 7
        var state: UInt64 = 12345
        var values = [Float](repeating: 0, count: n * d)
        for e in 0..<(n * d) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            values[e] = Float(Int((state >> 33) % 5) - 2)
        }
        var expected = [Int32]()
        var low = [Float](repeating: .infinity, count: n), high = [Float](repeating: -.infinity, count: n)
        for i in 0..<n {
            var order: [(Double, Int32)] = []
            for j in 0..<n where j != i {
                let s = dot(values, i, j, d)
                order.append((s, Int32(j)))
                if j > i { low[i] = Swift.min(low[i], Float(s)); high[i] = Swift.max(high[i], Float(s)) }
            }
            order.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
            expected += order.prefix(k).map(\.1)
        }
        var graphs: [KNNGraph] = []
        for threads in [1, 2, 3] {
            let scanner = try SimilarityScanner(vectors: values, count: n, dimension: d, threads: threads)
            #expect(scanner.tilesPerSide == 2)
            let nearest = try KNNGraph.nearestPerRow(scanner: scanner, k: k, collectExtremes: true)
            #expect(nearest.indices == expected)
            #expect(nearest.low == low && nearest.high == high)
            #expect(nearest.indices == Self.rowPassTopK(scanner, k: k))
            graphs.append(try KNNGraph(scanner: scanner, k: k))
        }
        for g in graphs.dropFirst() {
            #expect(g.offsets == graphs[0].offsets && g.neighbors == graphs[0].neighbors && g.similarities == graphs[0].similarities)
        }
        // Real-valued vectors over several tiles: the same lists as the row-by-row pass on the same GEMM values.
        let data = try Self.embeddings(count: 1300, dimension: 16, classes: 9, seed: 5)
        let scanner = try SimilarityScanner(vectors: data.normalizedFloat32(), count: 1300, dimension: 16, threads: 2)
        #expect(try KNNGraph.nearestPerRow(scanner: scanner, k: 9, collectExtremes: false).indices == Self.rowPassTopK(scanner, k: 9))
    }

    @Test("streamed range and energy equal the dense solver's on the same labels")
    func streamedEnergyEqualsDense() throws {
        let n = 400, d = 24
        let data = try Self.embeddings(count: n, dimension: d, classes: 8, seed: 11)
        let costs = try CostFunction(cal: 0.5)
        let source = try EmbeddingCostSource(data)
        let dense = try DenseMulticutSolver(options: MulticutOptions(threads: 2)).solve(source, costs: costs)
        var random = SeededGenerator(seed: 9)
        let randomLabels = (0..<n).map { _ in Int32(random.next() % 7) }
        var results = [[Double]]()
        for threads in [1, 2] {
            let scanner = try SimilarityScanner(vectors: data.normalizedFloat32(), count: n, dimension: d, threads: threads)
            var model = PaperPairCostModel(costs: costs)
            _ = try model.prepare(data, scanner: scanner)
            #expect(model.range == source.range)
            let streamed = try StreamedEnergy.energies(of: [dense.labels, randomLabels], model: model, scanner: scanner)
            let denseRandom = try DenseMulticutSolver().energy(of: randomLabels, source: source, costs: costs)
            #expect(abs(streamed.energies[0] - dense.energy) <= 1e-6 * abs(dense.energy))
            #expect(abs(streamed.energies[1] - denseRandom) <= 1e-6 * abs(denseRandom))
            #expect(abs(streamed.totalCost - dense.totalCost) <= 1e-6 * abs(dense.totalCost))
            results.append(streamed.energies + [streamed.totalCost])
        }
        #expect(results[0] == results[1], "bit-identical for 1 and 2 threads")
    }

    @Test("streamed energy over the triangle's tiles equals brute force over all pairs, bit-identical for 1, 2, 3 threads")
    func streamedEnergyTilesEqualBruteForce() throws {
        // 2500 nodes: 3 x 3 tiles of 1024 (diagonal, off-diagonal and ragged edge tiles).
        let n = 2500, d = 8
        let data = try Self.embeddings(count: n, dimension: d, classes: 12, seed: 31)
        let vectors = data.normalizedFloat32()
        var random = SeededGenerator(seed: 4)
        let labelings = [(0..<n).map { _ in Int32(random.next() % 5) }, (0..<n).map { Int32($0 % 37) }]
        var paper = PaperPairCostModel(costs: try CostFunction(cal: 0.6))
        let unit = try SimilarityScanner(vectors: vectors, count: n, dimension: d, threads: 1)
        _ = try paper.prepare(data, scanner: unit)
        func brute<Model: PairCostModel>(_ model: Model) -> [Double] {
            var energies = [Double](repeating: 0, count: labelings.count)
            var total = 0.0
            for i in 0..<n {
                for j in (i + 1)..<n {
                    let w = model.cost(similarity: dot(vectors, i, j, d), i: i, j: j)
                    total += w
                    for (l, labels) in labelings.enumerated() where labels[i] != labels[j] { energies[l] += w }
                }
            }
            return energies + [total]
        }
        func check<Model: PairCostModel>(_ model: Model) throws {
            let expected = brute(model)
            var results = [[Double]]()
            for threads in [1, 2, 3] {
                let scanner = try SimilarityScanner(vectors: vectors, count: n, dimension: d, threads: threads)
                #expect(scanner.tilesPerSide == 3)
                let streamed = try StreamedEnergy.energies(of: labelings, model: model, scanner: scanner)
                let got = streamed.energies + [streamed.totalCost]
                for (g, e) in zip(got, expected) {
                    #expect(abs(g - e) <= 1e-6 * max(1, abs(e)), "\(model.name), \(threads) threads: \(g) vs brute force \(e)")
                }
                results.append(got)
            }
            #expect(results[1] == results[0] && results[2] == results[0], "\(model.name): bit-identical for 1, 2, 3 threads")
        }
        try check(paper)
        try check(AffineTestModel())  // per-node terms: the tiles' columns must be indexed right
    }

    @Test("the affine fit recovers an affine model with node terms; a model plugs in through the protocol")
    func affineFitRecoversAffineModel() throws {
        let n = 120, d = 6
        let data = try Self.embeddings(count: n, dimension: d, classes: 4, seed: 2)
        let model = AffineTestModel()
        let scanner = try SimilarityScanner(vectors: data.normalizedFloat32(), count: n, dimension: d, threads: 2)
        let graph = try KNNGraph(scanner: scanner, k: 4)
        let fit = AffineCostFit.fit(model: model, vectors: scanner.vectors, dimension: d, graph: graph)
        #expect(abs(fit.a - 0.3) < 1e-9 && abs(fit.b + 2) < 1e-9 && abs(fit.c - 0.5) < 1e-9)
        #expect(fit.samples == n * (n - 1) / 2 - graph.edgeCount)
        // With exact affine costs the aggregate gains are exact: GAEC + moves must give the
        // energy the streamed pass reports, and never above all-singletons (0).
        let outcome = try LargeScaleMulticutSolver(options: LargeScaleOptions(k: 4, threads: 2)).solve(data, model: model)
        #expect(outcome.solution.energy <= 0)
        let check = try StreamedEnergy.energies(of: [outcome.solution.labels], model: model, scanner: scanner)
        #expect(abs(check.energies[0] - outcome.solution.energy) < 1e-6 * max(1, abs(check.energies[0])))
    }

    @Test("large-scale solver against dense: energy close, same clusters on separated data")
    func largeScaleCloseToDense() throws {
        let n = 600, d = 32
        let data = try Self.embeddings(count: n, dimension: d, classes: 6, seed: 21)
        let costs = try CostFunction(cal: 0.5)
        let dense = try DenseMulticutSolver(options: MulticutOptions(threads: 2)).solve(try EmbeddingCostSource(data), costs: costs)
        let large = try LargeScaleMulticutSolver(options: LargeScaleOptions(k: 64, threads: 2))
            .solve(data, model: PaperPairCostModel(costs: costs))
        let relative = (large.solution.energy - dense.energy) / abs(dense.energy)
        #expect(relative < 1e-3, "energy \(large.solution.energy) vs dense \(dense.energy)")
        let vi = try ClusteringComparison(Labeling(dense: dense.labels, clusterCount: dense.clusterCount),
                                          Labeling(dense: large.solution.labels, clusterCount: large.solution.clusterCount)).variationOfInformation
        #expect(vi < 0.05, "VI \(vi)")
        // The reported energy is the exact one of the returned labels.
        let exact = try DenseMulticutSolver().energy(of: large.solution.labels, source: try EmbeddingCostSource(data), costs: costs)
        #expect(abs(exact - large.solution.energy) <= 1e-6 * abs(exact))
        #expect(large.solution.energy <= large.solution.energyGAEC)
    }

    @Test("deterministic for any thread count")
    func deterministicAcrossThreads() throws {
        let data = try Self.embeddings(count: 500, dimension: 16, classes: 10, seed: 8)
        let costs = try CostFunction(cal: 0.6)
        let runs = try [1, 2, 3].map { threads in
            try LargeScaleMulticutSolver(options: LargeScaleOptions(k: 8, threads: threads)).solve(data, model: PaperPairCostModel(costs: costs))
        }
        for r in runs.dropFirst() {
            #expect(r.solution.labels == runs[0].solution.labels)
            #expect(r.solution.energy == runs[0].solution.energy)
            #expect(r.fit == runs[0].fit)
        }
    }

    @Test("memory: estimates grow as nk + nd, are enforced, and decide the solver")
    func memoryEstimates() throws {
        let small = LargeScaleMulticutSolver.estimatedBytes(count: 100_000, dimension: 768, k: 32, threads: 2)
        let big = LargeScaleMulticutSolver.estimatedBytes(count: 200_000, dimension: 768, k: 32, threads: 2)
        #expect(big < 2 * small + (64 << 20) + 200_000 * 2 * 64 * 4)
        #expect(big < 8 << 30, "200k x 768 fits in 8 GiB")
        #expect(DenseMulticutSolver.estimatedBytes(nodeCount: 200_000) > 100 << 30)
        let data = try Self.embeddings(count: 300, dimension: 8, classes: 3, seed: 1)
        #expect(throws: FrameCutError.self) {
            try LargeScaleMulticutSolver(options: LargeScaleOptions(memoryLimit: 1 << 20)).solve(data, model: PaperPairCostModel(costs: try CostFunction(cal: 0.5)))
        }
        let limit: UInt64 = 24 << 30
        #expect(MulticutSolverChoice(requested: .auto, count: 40_000, dimension: 768, k: 32, threads: 2, memoryLimit: limit).scale == .dense)
        #expect(MulticutSolverChoice(requested: .auto, count: 200_000, dimension: 768, k: 32, threads: 2, memoryLimit: limit).scale == .large)
        #expect(MulticutSolverChoice(requested: .dense, count: 200_000, dimension: 768, k: 32, threads: 2, memoryLimit: limit).scale == .dense)
        #expect(MulticutSolverChoice(requested: .large, count: 100, dimension: 8, k: 32, threads: 2, memoryLimit: limit).scale == .large)
        let scaled = try ScaledMulticutSolver(options: MulticutOptions(memoryLimit: 1 << 30), scale: .auto, k: 8)
            .solve(data, costs: try CostFunction(cal: 0.5))
        #expect(scaled.choice.scale == .dense && scaled.largeScale == nil)
    }
}
