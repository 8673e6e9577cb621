/// Branch-free `exp`, GELU and QuickGELU over float buffers, written as scalar loops that the
/// optimiser vectorises (the hot elementwise work of the transformers: MLP activations and the
/// attention softmax).
enum VectorMath {
    /// `exp(x)` (Cephes `expf`: `x = n ln 2 + r`, a degree-6 polynomial in `r`, scaled by `2^n`;
    /// about 1 ulp), the input clamped to [-87.3, 88.7].
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let x = min(max(x, -87.3), 88.7)
        // floor(h) exactly, as round-to-nearest by adding and subtracting 1.5 * 2^23 (|h| < 2^22),
        // then a correction: `rounded(.down)` is a libm call on the baseline x86-64 target and
        // keeps the loops that call `exp` from vectorising.
        let h = x * 1.44269504088896341 + 0.5
        let nearest = (h + 12582912) - 12582912
        let n = nearest > h ? nearest - 1 : nearest
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

    /// In-place softmax of `count` values: maximum subtracted, `exp` as above, the sum in 8
    /// interleaved float64 partial sums (a fixed order, so results are reproducible).
    static func softmax(_ p: UnsafeMutablePointer<Float>, count: Int) {
        var m = -Float.infinity
        for k in 0..<count { m = max(m, p[k]) }
        for k in 0..<count { p[k] = exp(p[k] - m) }
        let inv = Float(1 / sum(p, count: count))
        for k in 0..<count { p[k] *= inv }
    }

    /// The sum of `count` floats at `p` in float64, as 8 interleaved partial sums added at the end.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, count: Int) -> Double {
        var s = SIMD8<Double>()
        var k = 0
        while k + 8 <= count {
            s += SIMD8<Double>(Double(p[k]), Double(p[k + 1]), Double(p[k + 2]), Double(p[k + 3]),
                               Double(p[k + 4]), Double(p[k + 5]), Double(p[k + 6]), Double(p[k + 7]))
            k += 8
        }
        var total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
        while k < count {
            total += Double(p[k])
            k += 1
        }
        return total
    }

    /// `sum((p[k] - mean)^2)` over `count` floats, in float64, ordered as `sum`.
    @inline(__always)
    static func squaredDeviations(_ p: UnsafePointer<Float>, count: Int, mean: Double) -> Double {
        var s = SIMD8<Double>()
        let m = SIMD8<Double>(repeating: mean)
        var k = 0
        while k + 8 <= count {
            let d = SIMD8<Double>(Double(p[k]), Double(p[k + 1]), Double(p[k + 2]), Double(p[k + 3]),
                                  Double(p[k + 4]), Double(p[k + 5]), Double(p[k + 6]), Double(p[k + 7])) - m
            s += d * d
            k += 8
        }
        var total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
        while k < count {
            let d = Double(p[k]) - mean
            total += d * d
            k += 1
        }
        return total
    }
}
