import FrameCutCore

/// Exhaustive multicut solutions for tiny instances: every partition of n <= 10 nodes
/// (restricted growth strings), each energy summed in Float64.
enum BruteForce {
    /// The optimum energy for costs given as a function of a pair (i < j); nil weight = no edge.
    static func optimum(nodeCount n: Int, cost: (Int, Int) -> Double?) -> (energy: Double, labels: [Int32]) {
        var weights = [(Int, Int, Double)]()
        for i in 0..<n { for j in (i + 1)..<n { if let w = cost(i, j) { weights.append((i, j, w)) } } }
        var labels = [Int32](repeating: 0, count: n)
        var best = Double.infinity
        var bestLabels = labels
        func visit(_ k: Int, _ maxLabel: Int32) {
            if k == n {
                var e = 0.0
                for (i, j, w) in weights where labels[i] != labels[j] { e += w }
                if e < best { best = e; bestLabels = labels }
                return
            }
            for l in 0...(maxLabel + 1) {
                labels[k] = l
                visit(k + 1, max(maxLabel, l))
            }
        }
        labels[0] = 0
        visit(1, 0)
        return (best, bestLabels)
    }
}

/// Seeded test data on FrameCutCore's SplitMix64 generator.
struct TestRandom {
    var generator: SeededGenerator
    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }
    mutating func next() -> UInt64 { generator.next() }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}

import Foundation

/// Random embeddings around a few centres, so that instances have real cluster structure.
func clusteredEmbeddings(count: Int, dimension: Int, centres: Int, spread: Double, seed: UInt64) throws -> Embeddings {
    var random = TestRandom(seed: seed)
    let means = (0..<centres).map { _ in (0..<dimension).map { _ in random.gaussian() } }
    var values = [Float]()
    for i in 0..<count {
        let mean = means[i % centres]
        for d in 0..<dimension { values.append(Float(mean[d] + spread * random.gaussian())) }
    }
    return try Embeddings(count: count, dimension: dimension, values: values)
}
