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
        let spectral_eigenvalues: [Double]
        let spectral_components: Int

        /// umap-learn's mean trustworthiness over the seeds of one initialisation.
        func mean(_ initialization: String, k: Int) -> Double {
            let values = runs.filter { $0.`init` == initialization }.map { k == 5 ? $0.trustworthiness_5 : $0.trustworthiness_15 }
            return values.reduce(0, +) / Double(max(values.count, 1))
        }
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

    @Test("UMAP on digits keeps neighbourhoods as well as umap-learn with the same initialisation (trustworthiness within 0.02) and is deterministic",
          arguments: UMAPOptions.Initialization.allCases)
    func digitsLayout(initialization: UMAPOptions.Initialization) throws {
        let values = try Self.digits()
        var options = UMAPOptions()
        options.metric = .euclidean
        options.seed = 7
        options.epochs = 200
        options.threads = 2
        options.initialization = initialization
        let result = try UMAP(options: options).layout(values: values, count: 1797, dimension: 64)
        #expect(result.initialization == initialization && !result.spectralFailed)
        let layout = result.coordinates
        #expect(layout.count == 1797 * 2 && layout.allSatisfy(\.isFinite))
        let input = values.map(Double.init)
        let ref = try Self.reference()
        let t5 = try Trustworthiness.score(input: input, inputDimension: 64, layout: layout, layoutDimension: 2, count: 1797, k: 5)
        let t15 = try Trustworthiness.score(input: input, inputDimension: 64, layout: layout, layoutDimension: 2, count: 1797, k: 15)
        let r5 = ref.mean(initialization.rawValue, k: 5), r15 = ref.mean(initialization.rawValue, k: 15)
        print("UMAP digits \(initialization.rawValue): T(5) \(t5) (umap-learn \(r5)), T(15) \(t15) (umap-learn \(r15))")
        #expect(t5 > r5 - 0.02, "T(5) \(t5) vs umap-learn \(r5)")
        #expect(t15 > r15 - 0.02, "T(15) \(t15) vs umap-learn \(r15)")
        #expect(t15 > ref.pca_trustworthiness_15 + 0.05, "UMAP should beat a linear PCA map clearly")
        if initialization == .spectral {
            options.threads = 1
            #expect(try UMAP(options: options).embed(values: values, count: 1797, dimension: 64) == layout)
        }
    }

    @Test("the spectral initialisation equals umap-learn's spectral_layout of digits (same eigenvalues, eigenvectors up to sign)")
    func spectralLayout() throws {
        let values = try Self.digits()
        let knn = try NearestNeighbors(values: values, count: 1797, dimension: 64, k: 15, metric: .euclidean, threads: 2)
        let graph = UMAP.fuzzyGraph(knn)
        let floor = (graph.weights.max() ?? 0) / 200
        let kept = graph.weights.indices.filter { graph.weights[$0] >= floor }
        let pruned = UMAP.Graph(heads: kept.map { graph.heads[$0] }, tails: kept.map { graph.tails[$0] }, weights: kept.map { graph.weights[$0] })
        var generator = SeededGenerator(seed: 1)
        let layout = try #require(SpectralLayout.layout(graph: pruned, count: 1797, values: values, dimension: 64, metric: .euclidean, generator: &generator))
        let bytes = try Data(contentsOf: ReportTestSupport.fixtures.appendingPathComponent("digits_spectral_1797x2.f32"))
        try #require(bytes.count == 1797 * 2 * 4)
        let reference: [Double] = bytes.withUnsafeBytes { raw in (0..<(1797 * 2)).map { Double(Float(bitPattern: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian)) } }
        for axis in 0..<2 {
            var dot = 0.0, a2 = 0.0, b2 = 0.0
            for i in 0..<1797 {
                let a = layout[i * 2 + axis], b = reference[i * 2 + axis]
                dot += a * b; a2 += a * a; b2 += b * b
            }
            let cosine = abs(dot) / (a2 * b2).squareRoot()
            #expect(cosine > 0.999, "axis \(axis): |cos| \(cosine) with umap-learn's eigenvector")
        }
        // The Rayleigh quotients of the two vectors are the Laplacian's eigenvalues.
        var degree = [Double](repeating: 0, count: 1797)
        for e in pruned.weights.indices { degree[Int(pruned.heads[e])] += pruned.weights[e] }
        let ref = try Self.reference()
        #expect(ref.spectral_components == 1)
        for axis in 0..<2 {
            let v = (0..<1797).map { layout[$0 * 2 + axis] }
            var quadratic = 0.0, norm = 0.0
            for e in pruned.weights.indices {
                let i = Int(pruned.heads[e]), j = Int(pruned.tails[e])
                quadratic -= v[i] * pruned.weights[e] / (degree[i] * degree[j]).squareRoot() * v[j]
            }
            for i in 0..<1797 { quadratic += v[i] * v[i]; norm += v[i] * v[i] }
            let eigenvalue = quadratic / norm
            #expect(abs(eigenvalue - ref.spectral_eigenvalues[axis]) < 1e-4, "eigenvalue \(axis): \(eigenvalue) vs \(ref.spectral_eigenvalues[axis])")
        }
        // A solver that cannot converge gives nil (UMAP then starts from PCA).
        #expect(SpectralLayout.layout(graph: pruned, count: 1797, values: values, dimension: 64, metric: .euclidean, generator: &generator,
                                      solver: LanczosEigen(basisSize: 4, restarts: 0)) == nil)
    }

    /// Cliques of the given sizes (no edges between them), one row per point near its clique's centre.
    static func cliques(_ sizes: [Int], spacing: Float) -> (UMAP.Graph, [Float]) {
        var heads: [Int32] = [], tails: [Int32] = [], weights: [Double] = [], values: [Float] = []
        var start = 0
        for (c, size) in sizes.enumerated() {
            for i in 0..<size {
                values += [Float(c) * spacing + Float(i) * 0.01, Float(c % 3) * spacing, 1]
                for j in 0..<size where j != i {
                    heads.append(Int32(start + i)); tails.append(Int32(start + j)); weights.append((i + j) % 3 == 0 ? 0.5 : 1)
                }
            }
            start += size
        }
        return (UMAP.Graph(heads: heads, tails: tails, weights: weights), values)
    }

    @Test("spectral layout of several components as multi_component_layout; Lanczos finds a cycle's eigenvalues")
    func components() throws {
        // Up to four components sit on the axes (1,0), (0,1), (-1,0), (0,-1), each within half
        // the distance to its nearest neighbour (sqrt(2)/2); the pair is placed at random there.
        let sizes = [5, 6, 2, 7]
        let (graph, values) = Self.cliques(sizes, spacing: 1)
        var generator = SeededGenerator(seed: 3)
        let layout = try #require(SpectralLayout.layout(graph: graph, count: 20, values: values, dimension: 3, metric: .euclidean, generator: &generator))
        let centres: [(Double, Double)] = [(1, 0), (0, 1), (-1, 0), (0, -1)]
        var start = 0
        for (c, size) in sizes.enumerated() {
            for i in start..<(start + size) {
                #expect(abs(layout[i * 2] - centres[c].0) <= 2.squareRoot() / 2 + 1e-9 && abs(layout[i * 2 + 1] - centres[c].1) <= 2.squareRoot() / 2 + 1e-9)
            }
            if size >= 4 {
                let spanX = (start..<(start + size)).map { layout[$0 * 2] }, spanY = (start..<(start + size)).map { layout[$0 * 2 + 1] }
                let largest = zip(spanX, spanY).map { max(abs($0 - centres[c].0), abs($1 - centres[c].1)) }.max() ?? 0
                #expect(abs(largest - 2.squareRoot() / 2) < 1e-9, "a spectral component is scaled to the range")
            }
            start += size
        }
        // More than four: centres from the spectral embedding of the centroids, all distinct.
        let many = [5, 5, 5, 5, 5, 5, 2]
        let (graph7, values7) = Self.cliques(many, spacing: 0.4)
        let layout7 = try #require(SpectralLayout.layout(graph: graph7, count: 32, values: values7, dimension: 3, metric: .euclidean, generator: &generator))
        #expect(layout7.allSatisfy { $0.isFinite })
        var means: [(Double, Double)] = []
        start = 0
        for size in many {
            means.append(((start..<(start + size)).map { layout7[$0 * 2] }.reduce(0, +) / Double(size),
                          (start..<(start + size)).map { layout7[$0 * 2 + 1] }.reduce(0, +) / Double(size)))
            start += size
        }
        for a in means.indices { for b in means.indices where b > a { #expect(hypot(means[a].0 - means[b].0, means[a].1 - means[b].1) > 1e-3) } }
        // Normalised adjacency of a 40-cycle: eigenvalues cos(2 pi k / 40); the top is 1 (k = 0),
        // then cos(2 pi / 40) twice.
        let n = 40
        let eig = try #require(LanczosEigen().largest(count: 3, dimension: n) { x, y in
            for i in 0..<n { y[i] = 0.5 * (x[(i + 1) % n] + x[(i + n - 1) % n]) }
        })
        #expect(abs(eig.values[0] - 1) < 1e-9 && abs(eig.values[1] - cos(2 * Double.pi / 40)) < 1e-9 && abs(eig.values[2] - cos(2 * Double.pi / 40)) < 1e-9)
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
