import Foundation

/// The low-dimensional similarity curve of UMAP, `1 / (1 + a d^(2b))`, fitted as umap-learn's
/// `find_ab_params` does: least squares (Levenberg-Marquardt, start a = b = 1) to the target
/// `1` for `d < minDist` and `exp(-(d - minDist) / spread)` beyond, at 300 points in `[0, 3 spread]`.
public struct UMAPCurve: Sendable, Equatable {
    public let a: Double
    public let b: Double

    public init(a: Double, b: Double) {
        self.a = a
        self.b = b
    }

    /// Fits `a` and `b` for `spread` and `minDist`.
    public init(spread: Double, minDist: Double) {
        let xs = (0..<300).map { 3 * spread * Double($0) / 299 }
        let ys = xs.map { $0 < minDist ? 1 : exp(-($0 - minDist) / spread) }
        func residuals(_ a: Double, _ b: Double) -> [Double] {
            zip(xs, ys).map { x, y in 1 / (1 + a * pow(x, 2 * b)) - y }
        }
        func cost(_ r: [Double]) -> Double { r.reduce(0) { $0 + $1 * $1 } }
        var a = 1.0, b = 1.0, lambda = 1e-3
        var r = residuals(a, b), c = cost(r)
        for _ in 0..<500 {
            // Jacobian of f = 1/(1 + a x^(2b)).
            var jtj = [0.0, 0.0, 0.0], jtr = [0.0, 0.0]
            for (k, x) in xs.enumerated() where x > 0 {
                let p = pow(x, 2 * b), den = 1 + a * p
                let da = -p / (den * den), db = -a * p * 2 * log(x) / (den * den)
                jtj[0] += da * da; jtj[1] += da * db; jtj[2] += db * db
                jtr[0] += da * r[k]; jtr[1] += db * r[k]
            }
            var improved = false
            for _ in 0..<30 {
                let m00 = jtj[0] * (1 + lambda), m11 = jtj[2] * (1 + lambda), m01 = jtj[1]
                let det = m00 * m11 - m01 * m01
                guard det != 0, det.isFinite else { lambda *= 10; continue }
                let stepA = -(m11 * jtr[0] - m01 * jtr[1]) / det, stepB = -(m00 * jtr[1] - m01 * jtr[0]) / det
                let na = a + stepA, nb = b + stepB
                let nr = residuals(na, nb), nc = cost(nr)
                if nc.isFinite, nc < c {
                    let done = abs(c - nc) <= 1e-15 * max(c, 1e-300) || (abs(stepA) < 1e-12 * abs(a) && abs(stepB) < 1e-12 * abs(b))
                    a = na; b = nb; r = nr; c = nc
                    lambda = max(lambda / 10, 1e-12)
                    improved = !done
                    break
                }
                lambda *= 10
            }
            if !improved { break }
        }
        self.a = a
        self.b = b
    }
}
