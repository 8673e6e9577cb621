import CBLAS
import Foundation

/// The largest eigenvalues and their eigenvectors of a symmetric linear operator, by Lanczos
/// iteration with full reorthogonalisation and explicit restarts (the role ARPACK's `eigsh`
/// plays in umap-learn's spectral initialisation). Deterministic: a fixed start vector, plain
/// loops in a fixed order. Vectors to deflate (known eigenvectors) are projected out of the
/// Krylov space.
public struct LanczosEigen: Sendable {
    /// Eigenvalues, largest first, and their unit eigenvectors.
    public struct Result: Sendable {
        public let values: [Double]
        public let vectors: [[Double]]
        /// Largest residual `|A v - lambda v|` of the returned pairs.
        public let residual: Double
    }

    /// Most Lanczos vectors per restart.
    public var basisSize = 160
    /// Restarts before giving up.
    public var restarts = 30
    /// A pair counts as converged when its residual is at most this.
    public var tolerance = 1e-6

    public init(basisSize: Int = 160, restarts: Int = 30, tolerance: Double = 1e-6) {
        self.basisSize = basisSize
        self.restarts = restarts
        self.tolerance = tolerance
    }

    /// The `count` largest eigenpairs of the `dimension x dimension` operator `apply` (which
    /// writes `A x` into its second argument), on the complement of `deflate` (orthonormal).
    /// - Returns: nil when they do not converge within `restarts`, or the complement is too small.
    public func largest(count: Int, dimension n: Int, deflate: [[Double]] = [], start: [Double]? = nil,
                        apply: ([Double], inout [Double]) -> Void) -> Result? {
        let free = n - deflate.count
        guard count >= 1, free >= count, deflate.allSatisfy({ $0.count == n }) else { return nil }
        let m = min(basisSize, free)
        var fill = SeededGenerator(seed: 0x5eed_1a9c)
        // The deflated vectors and the Lanczos basis, one row each, in one buffer.
        let fixed = deflate.count
        var rows = [Double](repeating: 0, count: (fixed + m) * n)
        for (k, u) in deflate.enumerated() { rows.replaceSubrange((k * n)..<((k + 1) * n), with: u) }
        var coefficients = [Double](repeating: 0, count: fixed + m)
        /// Removes from `w` its projection on the first `used` rows, twice (full reorthogonalisation).
        func orthogonalize(_ w: inout [Double], used: Int) {
            guard used > 0 else { return }
            for _ in 0..<2 {
                rows.withUnsafeBufferPointer { q in
                    w.withUnsafeMutableBufferPointer { x in
                        coefficients.withUnsafeMutableBufferPointer { c in
                            guard let qb = q.baseAddress, let xb = x.baseAddress, let cb = c.baseAddress else { return }
                            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(used), Int32(n), 1, qb, Int32(n), xb, 1, 0, cb, 1)
                            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(used), Int32(n), -1, qb, Int32(n), cb, 1, 1, xb, 1)
                        }
                    }
                }
            }
        }
        func norm(_ w: [Double]) -> Double { w.withUnsafeBufferPointer { cblas_dnrm2(Int32(n), $0.baseAddress, 1) } }
        /// A fresh unit vector orthogonal to the first `used` rows (nil when none is left).
        func freshVector(used: Int) -> [Double]? {
            for _ in 0..<8 {
                var w = (0..<n).map { _ in Double(fill.next() >> 11) / Double(1 << 53) - 0.5 }
                orthogonalize(&w, used: used)
                let s = norm(w)
                if s > 1e-8 { return w.map { $0 / s } }
            }
            return nil
        }
        var q = start ?? [Double](repeating: 1, count: n)
        guard q.count == n else { return nil }
        orthogonalize(&q, used: fixed)
        var s0 = norm(q)
        if !(s0 > 1e-8) {
            guard let f = freshVector(used: fixed) else { return nil }
            q = f
            s0 = 1
        }
        q = q.map { $0 / s0 }
        var best: Result?
        for _ in 0...restarts {
            rows.replaceSubrange((fixed * n)..<((fixed + 1) * n), with: q)
            var alpha: [Double] = [], beta: [Double] = []
            var w = [Double](repeating: 0, count: n)
            var lastBeta = 0.0
            for j in 0..<m {
                let current = Array(rows[((fixed + j) * n)..<((fixed + j + 1) * n)])
                apply(current, &w)
                let a = current.withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { y in cblas_ddot(Int32(n), x.baseAddress, 1, y.baseAddress, 1) } }
                alpha.append(a)
                orthogonalize(&w, used: fixed + j + 1)
                let b = norm(w)
                if j == m - 1 { lastBeta = b; break }
                if b > 1e-10 * max(1, abs(a)) {
                    beta.append(b)
                    rows.replaceSubrange(((fixed + j + 1) * n)..<((fixed + j + 2) * n), with: w.map { $0 / b })
                } else {
                    // An invariant subspace: continue with a fresh direction (T decouples).
                    guard let f = freshVector(used: fixed + j + 1) else { break }
                    beta.append(0)
                    rows.replaceSubrange(((fixed + j + 1) * n)..<((fixed + j + 2) * n), with: f)
                }
            }
            let size = alpha.count
            guard size >= count, let (values, z) = Self.tridiagonalEigen(diagonal: alpha, offDiagonal: Array(beta.prefix(size - 1))) else { return best }
            let order = values.indices.sorted { values[$0] > values[$1] }.prefix(count)
            var vectors: [[Double]] = [], residual = 0.0
            for i in order {
                var v = [Double](repeating: 0, count: n)
                let column = (0..<size).map { z[$0 * size + i] }
                rows.withUnsafeBufferPointer { qb in
                    column.withUnsafeBufferPointer { cb in
                        v.withUnsafeMutableBufferPointer { vb in
                            guard let qa = qb.baseAddress, let ca = cb.baseAddress, let va = vb.baseAddress else { return }
                            cblas_dgemv(CblasRowMajor, CblasTrans, Int32(size), Int32(n), 1, qa + fixed * n, Int32(n), ca, 1, 0, va, 1)
                        }
                    }
                }
                let s = norm(v)
                if s > 0 { v = v.map { $0 / s } }
                vectors.append(v)
                residual = max(residual, size == free ? 0 : abs(lastBeta * z[(size - 1) * size + i]))
            }
            let result = Result(values: order.map { values[$0] }, vectors: vectors, residual: residual)
            if residual <= tolerance { return result }
            best = result
            // Restart from the sum of the wanted Ritz vectors.
            q = [Double](repeating: 0, count: n)
            for v in vectors { for t in 0..<n { q[t] += v[t] } }
            orthogonalize(&q, used: fixed)
            let s = norm(q)
            guard s > 1e-12 else { return nil }
            q = q.map { $0 / s }
        }
        return nil
    }

    /// Eigenvalues and eigenvectors (columns of the row-major `size x size` matrix) of the
    /// symmetric tridiagonal matrix, by the implicit QL method; nil when it does not converge.
    static func tridiagonalEigen(diagonal: [Double], offDiagonal: [Double]) -> ([Double], [Double])? {
        let n = diagonal.count
        var d = diagonal, e = offDiagonal + [Double](repeating: 0, count: max(0, n - offDiagonal.count))
        var z = [Double](repeating: 0, count: n * n)
        for i in 0..<n { z[i * n + i] = 1 }
        for l in 0..<n {
            var iterations = 0
            while true {
                var m = l
                while m < n - 1 {
                    let dd = abs(d[m]) + abs(d[m + 1])
                    if abs(e[m]) <= Double.ulpOfOne * dd || abs(e[m]) < 1e-300 { break }
                    m += 1
                }
                if m == l { break }
                iterations += 1
                if iterations > 60 { return nil }
                var g = (d[l + 1] - d[l]) / (2 * e[l])
                var r = hypot(g, 1)
                g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
                var s = 1.0, c = 1.0, p = 0.0
                var i = m - 1
                var split = false
                while i >= l {
                    var f = s * e[i]
                    let b = c * e[i]
                    r = hypot(f, g)
                    e[i + 1] = r
                    if r == 0 {
                        d[i + 1] -= p
                        e[m] = 0
                        split = true
                        break
                    }
                    s = f / r
                    c = g / r
                    g = d[i + 1] - p
                    r = (d[i] - g) * s + 2 * c * b
                    p = s * r
                    d[i + 1] = g + p
                    g = c * r - b
                    for k in 0..<n {
                        f = z[k * n + i + 1]
                        z[k * n + i + 1] = s * z[k * n + i] + c * f
                        z[k * n + i] = c * z[k * n + i] - s * f
                    }
                    i -= 1
                }
                if split { continue }
                d[l] -= p
                e[l] = g
                e[m] = 0
            }
        }
        return (d, z)
    }
}
