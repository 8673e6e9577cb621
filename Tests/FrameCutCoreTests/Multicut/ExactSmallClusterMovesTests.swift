import Foundation
import Testing
@testable import FrameCutCore

@Suite("Large-scale multicut: exact moves of the small clusters' nodes")
struct ExactSmallClusterMovesTests {
    /// Exact float64 cost matrix of the paper model on the normalised rows.
    static func costs(_ model: PaperPairCostModel, _ vectors: [Float], n: Int, d: Int) -> [Double] {
        var w = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                var s = 0.0
                for c in 0..<d { s += Double(vectors[i * d + c]) * Double(vectors[j * d + c]) }
                let v = model.cost(similarity: s, i: i, j: j)
                w[i * n + j] = v
                w[j * n + i] = v
            }
        }
        return w
    }

    @Test("exact moves lower the exact energy, end in an exact local optimum of the tracked nodes, any thread count")
    func exactLocalOptimum() throws {
        let n = 600, d = 16
        let generated = try SyntheticEmbeddings.clustered(count: n, dimension: d, classes: 8, spread: 0.6, seed: 17)
        let data = generated.embeddings
        // A poor start: every class cut into small pieces (all clusters at most 64 nodes) and every
        // seventh node sent to a neighbouring class's piece.
        var labels = (0..<n).map { Int32(Int(generated.classes[$0]) * 6 + $0 % 6) }
        for i in stride(from: 0, to: n, by: 7) { labels[i] = (labels[i] + 6) % 48 }
        let used = Set(labels)
        let startFree = (0..<Int32(n)).filter { !used.contains($0) }.reversed().map { $0 }
        var results: [[Int32]] = []
        for threads in [1, 2, 3] {
            let scanner = try SimilarityScanner(vectors: data.normalizedFloat32(), count: n, dimension: d, threads: threads)
            var model = PaperPairCostModel(costs: try CostFunction(cal: 0.5))
            _ = try model.prepare(data, scanner: scanner)
            let graph = try KNNGraph(scanner: scanner, k: 8)
            var moved = labels
            var free = startFree
            let before = try StreamedEnergy.energies(of: [moved], model: model, scanner: scanner).energies[0]
            let moves = ExactSmallClusterMoves.run(labels: &moved, free: &free, aggregates: nil, graph: graph, model: model,
                                                   scanner: scanner, threads: threads)
            let after = try StreamedEnergy.energies(of: [moved], model: model, scanner: scanner).energies[0]
            #expect(moves > 0)
            #expect(after < before - 1, "energy \(before) -> \(after)")
            // Free ids and labels stay consistent: no id is both used and free, none twice.
            let inUse = Set(moved)
            #expect(Set(free).count == free.count && Set(free).isDisjoint(with: inUse))
            #expect(inUse.count + free.count == n)
            if threads == 1 {
                // No node gains by moving to another cluster or a new one, on float64 exact costs.
                let w = Self.costs(model, scanner.vectors, n: n, d: d)
                let clusters = inUse.sorted()
                for v in 0..<n {
                    var sums = [Int32: Double]()
                    for j in 0..<n where j != v { sums[moved[j], default: 0] += w[v * n + j] }
                    let stay = sums[moved[v]] ?? 0
                    for c in clusters where c != moved[v] { #expect((sums[c] ?? 0) - stay < 1e-3, "node \(v) gains by joining \(c)") }
                    if moved.filter({ $0 == moved[v] }).count > 1 { #expect(-stay < 1e-3, "node \(v) gains alone") }
                }
            }
            results.append(moved)
        }
        #expect(results[1] == results[0] && results[2] == results[0], "labels independent of the thread count")
    }

    @Test("nothing to track, nothing moves: clusters above the bound without small neighbours")
    func largeClustersUntouched() throws {
        let n = 300, d = 8
        let generated = try SyntheticEmbeddings.clustered(count: n, dimension: d, classes: 2, spread: 0.6, seed: 3)
        let scanner = try SimilarityScanner(vectors: generated.embeddings.normalizedFloat32(), count: n, dimension: d, threads: 2)
        var model = PaperPairCostModel(costs: try CostFunction(cal: 0.5))
        _ = try model.prepare(generated.embeddings, scanner: scanner)
        let graph = try KNNGraph(scanner: scanner, k: 8)
        var labels = (0..<n).map { Int32($0 < 150 ? 0 : 1) }
        var free: [Int32] = (2..<Int32(n)).reversed().map { $0 }
        #expect(ExactSmallClusterMoves.run(labels: &labels, free: &free, aggregates: nil, graph: graph, model: model,
                                           scanner: scanner, threads: 2) == 0)
        #expect(labels == (0..<n).map { Int32($0 < 150 ? 0 : 1) })
    }
}
