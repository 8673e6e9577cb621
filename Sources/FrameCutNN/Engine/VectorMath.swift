/// Branch-free `exp`, GELU and QuickGELU over float buffers, written as scalar loops that the
/// optimiser vectorises (the hot elementwise work of the transformers: MLP activations and the
/// attention softmax).
enum VectorMath {
    /// `exp(x)` (Cephes `expf`: `x = n ln 2 + r`, a degree-6 polynomial in `r`, scaled by `2^n`;
    /// about 1 ulp), the input clamped to [-87.3, 88.7].
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let x = min(max(x, -87.3), 88.7)
        let n = (x * 1.44269504088896341 + 0.5).rounded(.down)
        var r = x - n * 0.693359375
        r += n * 2.12194440e-4
        let z = r * r
        var y: Float = 1.9875691500e-4
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * z + r + 1
        return y * Float(bitPattern: UInt32(truncatingIfNeeded: (Int32(n) &+ 127) &<< 23))
    }

    /// `erf(x)` as PyTorch's vectorised CPU kernels compute it (Abramowitz-Stegun 7.1.26,
    /// absolute error below 1.5e-7): `sign(x) (1 - r(t) t exp(-x^2))`, `t = 1 / (1 + 0.3275911 |x|)`.
    @inline(__always)
    static func erf(_ x: Float) -> Float {
        let t = 1 / (abs(x) * 0.3275911 + 1)
        var r: Float = 1.061405429
        r = r * t - 1.453152027
        r = r * t + 1.421413741
        r = r * t - 0.284496736
        r = r * t + 0.254829592
        let e = 1 - r * t * exp(-(x * x))
        return x < 0 ? -e : e
    }

    /// Exact-erf GELU `x (1 + erf(x / sqrt 2)) / 2`, with PyTorch's vectorised erf.
    static func gelu(_ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = p[i]
            p[i] = x * 0.5 * (1 + erf(x * 0.70710678118654752))
        }
    }

    /// QuickGELU `x * sigmoid(1.702 x)`.
    static func quickGelu(_ p: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = p[i]
            p[i] = x / (1 + exp(x * -1.702))
        }
    }

    /// In-place softmax of `count` values: maximum subtracted, `exp` as above, sum in float64.
    static func softmax(_ p: UnsafeMutablePointer<Float>, count: Int) {
        var m = -Float.infinity
        for k in 0..<count { m = max(m, p[k]) }
        for k in 0..<count { p[k] = exp(p[k] - m) }
        var total = 0.0
        for k in 0..<count { total += Double(p[k]) }
        let inv = Float(1 / total)
        for k in 0..<count { p[k] *= inv }
    }
}
