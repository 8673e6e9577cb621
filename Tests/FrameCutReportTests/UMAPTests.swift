import Foundation
import Testing
import FrameCutCore

/// UMAP and trustworthiness against umap-learn 0.5.5 and scikit-learn 1.2
/// (scripts/reference/umap_reference.py, fixtures in Fixtures/).
@Suite("UMAP and trustworthiness")
struct UMAPTests {
    struct Reference: Decodable {
        struct Run: Decodable {
            let `init`: String
            let seed: Int
            let trustworthiness_5: Double
            let trustworthiness_15: Double
        }
        struct AB: Decodable {
            let spread: Double
            let min_dist: Double
            let a: Double
            let b: Double
        }
        let runs: [Run]
        let ab: [AB]
        let mean_trustworthiness_5: Double
        let mean_trustworthiness_15: Double
        let pca_trustworthiness_15: Double
        let projection_trustworthiness_5: Double
        let projection_trustworthiness_15: Double
    }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: ReportTestSupport.fixtures.appendingPathComponent("umap_reference.json")))
    }

    /// scikit-learn's digits, 1797 x 64.
    static func digits() throws -> [Float] {
        let bytes = try Data(contentsOf: ReportTestSupport.fixtures.appendingPathComponent("digits_1797x64.u8"))
        try #require(bytes.count == 1797 * 64)
        return bytes.map { Float($0) }
    }

    @Test("the a/b curve fit equals umap-learn's find_ab_params")
    func curve() throws {
        for r in try Self.reference().ab {
            let c = UMAPCurve(spread: r.spread, minDist: r.min_dist)
            #expect(abs(c.a - r.a) < 2e-3 * r.a && abs(c.b - r.b) < 2e-3 * r.b, "spread \(r.spread) min_dist \(r.min_dist): \(c) vs \(r.a), \(r.b)")
        }
    }

    @Test("trustworthiness equals scikit-learn's on a fixed projection of digits")
    func trustworthiness() throws {
        let x = try Self.digits().map(Double.init)
        var layout = [Double](repeating: 0, count: 1797 * 2)
        for i in 0..<1797 {
            for d in 0..<64 {
                layout[2 * i] += x[i * 64 + d] * sin(Double(d) + 1)
                layout[2 * i + 1] += x[i * 64 + d] * cos(2 * Double(d) + 1)
            }
        }
        let ref = try Self.reference()
        let t5 = try Trustworthiness.score(input: x, inputDimension: 64, layout: layout, layoutDimension: 2, count: 1797, k: 5)
        let t15 = try Trustworthiness.score(input: x, inputDimension: 64, layout: layout, layoutDimension: 2, count: 1797, k: 15)
        #expect(abs(t5 - ref.projection_trustworthiness_5) < 1e-3, "\(t5) vs \(ref.projection_trustworthiness_5)")
        #expect(abs(t15 - ref.projection_trustworthiness_15) < 1e-3, "\(t15) vs \(ref.projection_trustworthiness_15)")
        // The identity layout is perfectly trustworthy.
        #expect(try Trustworthiness.score(input: layout, inputDimension: 2, layout: layout, layoutDimension: 2, count: 1797, k: 5) == 1)
        #expect(throws: MetricsError.self) { try Trustworthiness.score(input: x, inputDimension: 64, layout: layout, layoutDimension: 2, count: 1797, k: 900) }
    }

    @Test("UMAP on digits keeps neighbourhoods as well as umap-learn (trustworthiness within 0.02) and is deterministic")
    func digitsLayout() throws {
        let values = try Self.digits()
        var options = UMAPOptions()
        options.metric = .euclidean
        options.seed = 7
        options.epochs = 200
        options.threads = 2
        let layout = try UMAP(options: options).embed(values: values, count: 1797, dimension: 64)
        #expect(layout.count == 1797 * 2 && layout.allSatisfy(\.isFinite))
        let input = values.map(Double.init)
        let ref = try Self.reference()
        let t5 = try Trustworthiness.score(input: input, inputDimension: 64, layout: layout, layoutDimension: 2, count: 1797, k: 5)
        let t15 = try Trustworthiness.score(input: input, inputDimension: 64, layout: layout, layoutDimension: 2, count: 1797, k: 15)
        #expect(t5 > ref.mean_trustworthiness_5 - 0.02, "T(5) \(t5) vs umap-learn \(ref.mean_trustworthiness_5)")
        #expect(t15 > ref.mean_trustworthiness_15 - 0.02, "T(15) \(t15) vs umap-learn \(ref.mean_trustworthiness_15)")
        #expect(t15 > ref.pca_trustworthiness_15 + 0.05, "UMAP should beat a linear PCA map clearly")
        options.threads = 1
        #expect(try UMAP(options: options).embed(values: values, count: 1797, dimension: 64) == layout)
    }

    @Test("the fuzzy graph is symmetric with weights in (0, 1]; kNN lists each point first")
    func graph() throws {
        let values = Array(try Self.digits().prefix(300 * 64))
        let knn = try NearestNeighbors(values: values, count: 300, dimension: 64, k: 10, metric: .euclidean, threads: 2)
        for i in 0..<300 {
            #expect(knn.indices[i * 10] == Int32(i) && knn.distances[i * 10] == 0)
            for t in 1..<10 { #expect(knn.distances[i * 10 + t] >= knn.distances[i * 10 + t - 1]) }
        }
        let g = UMAP.fuzzyGraph(knn)
        var weights: [Int: Double] = [:]
        for e in g.weights.indices { weights[Int(g.heads[e]) * 300 + Int(g.tails[e])] = g.weights[e] }
        for (key, w) in weights {
            #expect(w > 0 && w <= 1)
            #expect(weights[(key % 300) * 300 + key / 300] == w)
        }
        #expect(throws: MetricsError.self) { try NearestNeighbors(values: [1, 2], count: 1, dimension: 2, k: 1, metric: .cosine) }
    }
}
