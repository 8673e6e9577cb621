import Foundation

/// Trustworthiness of a low-dimensional layout (Venna and Kaski 2001), as scikit-learn's
/// `sklearn.manifold.trustworthiness` computes it with the euclidean metric:
/// `T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in U_i(k)} (r(i, j) - k)`, where `U_i(k)`
/// are the k nearest neighbours of i in the layout that are not among its k nearest in the
/// input, and `r(i, j)` is j's rank among i's neighbours in the input (1 = nearest).
/// 1 means every layout neighbourhood is a true neighbourhood. Exact, O(n² log n): for
/// checks on a few thousand points.
public enum Trustworthiness {
    /// - Parameters:
    ///   - input: `count x inputDimension` rows; `layout`: `count x layoutDimension` rows (row-major).
    ///   - k: neighbours, `1 <= k < count / 2`.
    public static func score(input: [Double], inputDimension: Int, layout: [Double], layoutDimension: Int, count: Int, k: Int) throws -> Double {
        guard count >= 3 else { throw MetricsError.tooFewItems(what: "trustworthiness points", needed: 3, actual: count) }
        guard inputDimension >= 1, input.count == count * inputDimension else {
            throw MetricsError.countMismatch(what: "input values", expected: count * max(inputDimension, 1), actual: input.count)
        }
        guard layoutDimension >= 1, layout.count == count * layoutDimension else {
            throw MetricsError.countMismatch(what: "layout values", expected: count * max(layoutDimension, 1), actual: layout.count)
        }
        guard k >= 1, 2 * k < count else { throw MetricsError.invalidParameter(name: "k", value: Double(k), reason: "must satisfy 1 <= k < n/2") }
        func squared(_ x: [Double], _ dim: Int, _ i: Int, _ j: Int) -> Double {
            var s = 0.0
            for d in 0..<dim { let t = x[i * dim + d] - x[j * dim + d]; s += t * t }
            return s
        }
        var penalty = 0.0
        var rank = [Int](repeating: 0, count: count)
        for i in 0..<count {
            let others = (0..<count).filter { $0 != i }
            let inputDistance = others.map { squared(input, inputDimension, i, $0) }
            let byInput = others.indices.sorted { (inputDistance[$0], others[$0]) < (inputDistance[$1], others[$1]) }
            for (r, t) in byInput.enumerated() { rank[others[t]] = r + 1 }
            let layoutDistance = others.map { squared(layout, layoutDimension, i, $0) }
            let byLayout = others.indices.sorted { (layoutDistance[$0], others[$0]) < (layoutDistance[$1], others[$1]) }.prefix(k)
            for t in byLayout where rank[others[t]] > k { penalty += Double(rank[others[t]] - k) }
        }
        let n = Double(count), kk = Double(k)
        return 1 - penalty * 2 / (n * kk * (2 * n - 3 * kk - 1))
    }
}
