import Foundation
import FrameCutCore
import Testing

/// The label-free cost model against scripts/reference/costs_fixtures.py (float64 numpy).
@Suite("Label-free costs: fuzzy neighbour graph and modularity costs")
struct FuzzyModularityTests {
    struct Fixture: Decodable {
        let n, d, neighbours, edges: Int
        let embeddings: [Float]
        let groups: [Int]
        let rho, sigma, degrees, memberships, costs: [Double]
        let total_degree, total_cost, heuristic_mu, heuristic_cal: Double
    }

    static func fixture() throws -> Fixture {
        guard let url = Bundle.module.url(forResource: "Fixtures/costs/fuzzy_modularity", withExtension: "json") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func embeddings(_ f: Fixture) throws -> Embeddings {
        try Embeddings(count: f.n, dimension: f.d, values: f.embeddings)
    }

    @Test func neighbourGraphMatchesNumpy() throws {
        let f = try Self.fixture()
        let source = try FuzzyModularityCostSource(try Self.embeddings(f), neighbours: f.neighbours)
        let (graph, costs) = try source.fit(threads: 2)
        #expect(graph.edgeCount == f.edges)
        for i in 0..<f.n {
            #expect(abs(graph.rho[i] - f.rho[i]) < 1e-6, "rho[\(i)]")
            #expect(abs(graph.sigma[i] - f.sigma[i]) <= 1e-3 * f.sigma[i] + 1e-7, "sigma[\(i)]")
            #expect(abs(graph.degrees[i] - f.degrees[i]) < 1e-3, "degree[\(i)]")
        }
        #expect(abs(graph.totalDegree - f.total_degree) < 1e-3 * f.total_degree)
        // Memberships: every stored entry and every absent one.
        var dense = [Double](repeating: 0, count: f.n * f.n)
        for i in 0..<f.n {
            for e in graph.offsets[i]..<graph.offsets[i + 1] { dense[i * f.n + Int(graph.columns[e])] = graph.memberships[e] }
        }
        let worst = zip(dense, f.memberships).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-3, "largest membership difference \(worst)")
        #expect(abs(costs.totalDegree - f.total_degree) < 1e-3 * f.total_degree)
    }

    @Test func costMatrixMatchesNumpyAndDecomposes() throws {
        let f = try Self.fixture()
        let source = try FuzzyModularityCostSource(try Self.embeddings(f), neighbours: f.neighbours)
        let matrix = try SymmetricCostMatrix(nodeCount: f.n)
        let fill = try source.fill(matrix, costs: try CostFunction(cal: 0.5), threads: 2)
        #expect(fill.range == nil)
        #expect(abs(fill.totalCost - f.total_cost) < 1e-3 * max(1, abs(f.total_cost)))
        let costs = try #require(source.costs)
        let graph = try #require(source.graph)
        for i in 0..<f.n {
            for j in 0..<f.n {
                #expect(abs(Double(matrix[i, j]) - f.costs[i * f.n + j]) < 2e-3, "w[\(i),\(j)]")
            }
        }
        // Outside the graph a pair costs exactly -q_i q_j; the rank-one part sums per group.
        let q = costs.scaledDegrees
        var stored = Set<Int>()
        for i in 0..<f.n { for e in graph.offsets[i]..<graph.offsets[i + 1] { stored.insert(i * f.n + Int(graph.columns[e])) } }
        for i in 0..<f.n { for j in 0..<f.n where i != j && !stored.contains(i * f.n + j) {
            #expect(abs(Double(matrix[i, j]) - costs.outsideCost(i, j)) < 1e-6)
        } }
        let a = Array(0..<10), b = Array(30..<45)
        let direct = a.reduce(0.0) { s, i in b.reduce(s) { $0 + costs.outsideCost(i, $1) } }
        let aggregate = ModularityCosts.aggregateOutsideCost(scaledDegreeSumA: a.reduce(0) { $0 + q[$1] },
                                                             scaledDegreeSumB: b.reduce(0) { $0 + q[$1] })
        #expect(abs(direct - aggregate) < 1e-12 * max(1, abs(direct)))
        // A refill (after GAEC) gives the same matrix.
        let again = try SymmetricCostMatrix(nodeCount: f.n)
        _ = try source.fill(again, costs: try CostFunction(cal: 0.5), threads: 1)
        for i in 0..<f.n { for j in 0..<f.n { #expect(again[i, j] == matrix[i, j]) } }
    }

    @Test func autoFindsTheGroupsDeterministically() throws {
        let f = try Self.fixture()
        let x = try Self.embeddings(f)
        let options = MulticutOptions(algorithm: .gaecKL, threads: 2)
        // The default model (15 neighbours, resolution 1) on three well separated groups.
        let first = try CostModelEvaluation.run(.auto, embeddings: x, classes: f.groups.map(Int32.init), options: options)
        let second = try CostModelEvaluation.run(.auto, embeddings: x,
                                                 classes: f.groups.map(Int32.init), options: MulticutOptions(algorithm: .gaecKL, threads: 1))
        #expect(first.clusters == 3)
        #expect(first.adjustedRandIndex > 0.99)
        #expect(first.clusters == second.clusters && first.variationOfInformation == second.variationOfInformation)
        #expect(first.fitted.model == "fuzzy-modularity")
        #expect(first.fitted.parameters["neighbours"] == 15)
        #expect(first.fitted.parameters["resolution"] == 1)
        #expect((first.fitted.parameters["total_degree"] ?? 0) > 0)
    }

    @Test func paperHeuristicFitsCalFromTheMeanSimilarity() throws {
        let f = try Self.fixture()
        let source = try CostModel.paperHeuristic.source(for: try Self.embeddings(f))
        let matrix = try SymmetricCostMatrix(nodeCount: f.n)
        _ = try source.fill(matrix, costs: try CostFunction(cal: 0.5), threads: 2)
        let fitted = source.fitted
        #expect(fitted.model == "paper-heuristic")
        #expect(abs((fitted.parameters["mu"] ?? 0) - f.heuristic_mu) < 1e-9)
        #expect(abs((fitted.parameters["cal"] ?? 0) - f.heuristic_cal) < 1e-9)
        // The same costs as the paper's model with that cal.
        let paper = try CostModel.paper(cal: f.heuristic_cal).source(for: try Self.embeddings(f))
        let reference = try SymmetricCostMatrix(nodeCount: f.n)
        _ = try paper.fill(reference, costs: try CostFunction(cal: 0.5), threads: 2)
        for i in 0..<f.n { for j in 0..<f.n { #expect(abs(matrix[i, j] - reference[i, j]) < 1e-5) } }
    }

    @Test func invalidSettingsAreErrors() throws {
        let f = try Self.fixture()
        #expect(throws: FrameCutError.self) { try FuzzyModularityCostSource(try Self.embeddings(f), neighbours: 0) }
        #expect(throws: FrameCutError.self) { try FuzzyModularityCostSource(try Self.embeddings(f), resolution: 0) }
        #expect(throws: FrameCutError.self) { try ModularityCosts(degrees: [0, 0], resolution: 1) }
    }
}
