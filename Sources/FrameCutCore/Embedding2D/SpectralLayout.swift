import CBLAS
import Foundation

/// umap-learn 0.5.5's spectral initialisation (`umap.spectral.spectral_layout`) in two
/// dimensions: the eigenvectors of the normalised Laplacian `I - D^-1/2 W D^-1/2` of the fuzzy
/// graph for its two smallest non-trivial eigenvalues. A graph of several connected components
/// is laid out as `multi_component_layout` does: the components are placed by a spectral
/// embedding of their centroids (or on the axes when there are at most four), each component
/// is laid out on its own and scaled to half the distance to its nearest neighbour component,
/// and components of fewer than four points are placed at random around their centre.
public enum SpectralLayout {
    /// Two coordinates per point (`[x0, y0, x1, y1, ...]`, unscaled), or nil when an
    /// eigenvector solve does not converge.
    /// - Parameters:
    ///   - graph: the fuzzy graph (both directions of every edge), on `count` points.
    ///   - values: the input rows (`count x dimension`), for the centroids of the components.
    ///   - generator: the random placement of components of fewer than four points.
    ///   - solver: the eigenvector solver's settings.
    public static func layout(graph: UMAP.Graph, count: Int, values: [Float], dimension: Int, metric: UMAPOptions.Metric,
                              generator: inout SeededGenerator, solver: LanczosEigen = LanczosEigen()) -> [Double]? {
        guard count >= 3, graph.heads.count == graph.weights.count, graph.tails.count == graph.weights.count, values.count == count * dimension,
              graph.heads.allSatisfy({ $0 >= 0 && Int($0) < count }), graph.tails.allSatisfy({ $0 >= 0 && Int($0) < count }) else { return nil }
        var adjacency = [[(Int, Double)]](repeating: [], count: count)
        for e in graph.weights.indices where graph.weights[e] > 0 && graph.weights[e].isFinite {
            adjacency[Int(graph.heads[e])].append((Int(graph.tails[e]), graph.weights[e]))
        }
        let (components, labels) = connectedComponents(adjacency)
        if components == 1 { return connectedLayout(adjacency, solver: solver) }

        // Centres of the components (multi_component_layout).
        var meta: [[Double]]
        if components > 4 {
            guard let m = componentLayout(components: components, labels: labels, values: values, dimension: dimension, metric: metric, solver: solver) else { return nil }
            meta = m
        } else {
            let k = (components + 1) / 2
            let base: [[Double]] = (0..<k).map { i in (0..<2).map { $0 == i ? 1 : 0 } }
            meta = Array((base + base.map { $0.map { -$0 } }).prefix(components))
        }
        var members = [[Int]](repeating: [], count: components)
        for i in 0..<count { members[labels[i]].append(i) }
        var result = [Double](repeating: 0, count: count * 2)
        for c in 0..<components {
            var nearest = Double.infinity
            for o in 0..<components {
                let d = ((meta[c][0] - meta[o][0]) * (meta[c][0] - meta[o][0]) + (meta[c][1] - meta[o][1]) * (meta[c][1] - meta[o][1])).squareRoot()
                if d > 0 { nearest = min(nearest, d) }
            }
            let range = nearest.isFinite ? nearest / 2 : 1
            let rows = members[c]
            if rows.count < 4 {
                for i in rows {
                    for a in 0..<2 { result[i * 2 + a] = meta[c][a] + (2 * uniform(&generator) - 1) * range }
                }
                continue
            }
            var local = [Int: Int]()
            for (k, i) in rows.enumerated() { local[i] = k }
            let sub = rows.map { i in adjacency[i].compactMap { edge in local[edge.0].map { ($0, edge.1) } } }
            guard let coords = connectedLayout(sub, solver: solver) else { return nil }
            var largest = 0.0
            for x in coords { largest = max(largest, abs(x)) }
            let expansion = largest > 0 ? range / largest : 1
            for (k, i) in rows.enumerated() {
                for a in 0..<2 { result[i * 2 + a] = coords[k * 2 + a] * expansion + meta[c][a] }
            }
        }
        return result
    }

    /// The spectral layout of a connected graph (adjacency lists, symmetric weights).
    static func connectedLayout(_ adjacency: [[(Int, Double)]], solver: LanczosEigen) -> [Double]? {
        let n = adjacency.count
        guard n >= 3 else { return nil }
        let degree = adjacency.map { $0.reduce(0) { $0 + $1.1 } }
        guard degree.allSatisfy({ $0 > 0 }) else { return nil }
        let inverseRoot = degree.map { 1 / $0.squareRoot() }
        var trivial = degree.map { $0.squareRoot() }
        let s = trivial.reduce(0) { $0 + $1 * $1 }.squareRoot()
        trivial = trivial.map { $0 / s }
        // Largest eigenvalues of D^-1/2 W D^-1/2 = smallest of the normalised Laplacian (CSR).
        var offsets = [Int](repeating: 0, count: n + 1), columns: [Int] = [], scaled: [Double] = []
        for i in 0..<n {
            for (j, w) in adjacency[i] { columns.append(j); scaled.append(w * inverseRoot[i] * inverseRoot[j]) }
            offsets[i + 1] = columns.count
        }
        let result = solver.largest(count: 2, dimension: n, deflate: [trivial]) { x, y in
            offsets.withUnsafeBufferPointer { o in
                columns.withUnsafeBufferPointer { c in
                    scaled.withUnsafeBufferPointer { w in
                        x.withUnsafeBufferPointer { xb in
                            for i in 0..<n {
                                var sum = 0.0
                                for e in o[i]..<o[i + 1] { sum += w[e] * xb[c[e]] }
                                y[i] = sum
                            }
                        }
                    }
                }
            }
        }
        guard let result else { return nil }
        return interleave(result.vectors.map(signFlipped), count: n)
    }

    /// umap-learn's `component_layout`: a spectral embedding (scikit-learn's
    /// `SpectralEmbedding` on the affinity `exp(-d^2)`) of the component centroids, divided by
    /// its largest coordinate.
    static func componentLayout(components: Int, labels: [Int], values: [Float], dimension: Int, metric: UMAPOptions.Metric,
                                solver: LanczosEigen) -> [[Double]]? {
        var centroids = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: components)
        var sizes = [Double](repeating: 0, count: components)
        for (i, c) in labels.enumerated() {
            sizes[c] += 1
            for d in 0..<dimension { centroids[c][d] += Double(values[i * dimension + d]) }
        }
        for c in 0..<components { centroids[c] = centroids[c].map { $0 / sizes[c] } }
        var affinity = [Double](repeating: 0, count: components * components)
        let norms = centroids.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        for a in 0..<components {
            for b in 0..<components where b != a {
                var distance: Double
                switch metric {
                case .euclidean:
                    var s = 0.0
                    for d in 0..<dimension { let t = centroids[a][d] - centroids[b][d]; s += t * t }
                    distance = s.squareRoot()
                case .cosine:
                    var dot = 0.0
                    for d in 0..<dimension { dot += centroids[a][d] * centroids[b][d] }
                    distance = norms[a] > 0 && norms[b] > 0 ? max(0, 1 - dot / (norms[a] * norms[b])) : 1
                }
                affinity[a * components + b] = exp(-distance * distance)
            }
        }
        // scipy's normalised Laplacian ignores the diagonal; its trivial eigenvector is sqrt(degree).
        var degree = [Double](repeating: 0, count: components)
        for a in 0..<components { for b in 0..<components { degree[a] += affinity[a * components + b] } }
        guard degree.allSatisfy({ $0 > 0 }) else { return nil }
        let root = degree.map { $0.squareRoot() }
        let s = root.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let n = components
        var normalized = affinity
        for a in 0..<n { for b in 0..<n { normalized[a * n + b] /= root[a] * root[b] } }
        guard let result = solver.largest(count: 2, dimension: n, deflate: [root.map { $0 / s }], apply: { x, y in
            normalized.withUnsafeBufferPointer { m in
                x.withUnsafeBufferPointer { xb in
                    y.withUnsafeMutableBufferPointer { yb in
                        guard let ma = m.baseAddress, let xa = xb.baseAddress, let ya = yb.baseAddress else { return }
                        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(n), 1, ma, Int32(n), xa, 1, 0, ya, 1)
                    }
                }
            }
        }) else { return nil }
        // scikit-learn divides by sqrt(degree), then flips signs; umap-learn divides by the maximum.
        let vectors = result.vectors.map { v in signFlipped(zip(v, root).map { $0 / $1 }) }
        var coords = interleave(vectors, count: n)
        let top = coords.max() ?? 1
        if top != 0 { coords = coords.map { $0 / top } }
        return (0..<n).map { [coords[$0 * 2], coords[$0 * 2 + 1]] }
    }

    /// Connected components (labels numbered in order of their smallest point).
    static func connectedComponents(_ adjacency: [[(Int, Double)]]) -> (Int, [Int]) {
        var labels = [Int](repeating: -1, count: adjacency.count)
        var next = 0
        for root in adjacency.indices where labels[root] < 0 {
            labels[root] = next
            var stack = [root]
            while let i = stack.popLast() {
                for (j, _) in adjacency[i] where labels[j] < 0 {
                    labels[j] = next
                    stack.append(j)
                }
            }
            next += 1
        }
        return (next, labels)
    }

    /// The sign that makes the entry of largest magnitude positive (scikit-learn's
    /// `_deterministic_vector_sign_flip`).
    static func signFlipped(_ v: [Double]) -> [Double] {
        guard let big = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[big] < 0 else { return v }
        return v.map { -$0 }
    }

    static func interleave(_ vectors: [[Double]], count: Int) -> [Double] {
        var out = [Double](repeating: 0, count: count * 2)
        for i in 0..<count { out[i * 2] = vectors[0][i]; out[i * 2 + 1] = vectors[1][i] }
        return out
    }

    static func uniform(_ g: inout SeededGenerator) -> Double { Double(g.next() >> 11) / Double(1 << 53) }
}
