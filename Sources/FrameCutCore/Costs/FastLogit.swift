/// A natural logarithm written so that the compiler vectorises loops over it: exponent and
/// mantissa by bit operations, the mantissa's logarithm by the series of `2 atanh(z)` with
/// `z = (m - 1) / (m + 1)` on `[sqrt(1/2), sqrt(2))`. Absolute error below 1e-13 for positive
/// normal inputs (the cost transform evaluates it about n^2 / 2 times).
enum FastLog {
    @inline(__always)
    static func log(_ x: Double) -> Double {
        let bits = x.bitPattern
        // The biased exponent as a Double without an integer conversion (the 2^52 trick).
        let biased = Double(bitPattern: (bits >> 52) | 0x4330_0000_0000_0000) - 4_503_599_627_370_496.0
        var m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)  // [1, 2)
        let big = m > 1.4142135623730951
        m = big ? m * 0.5 : m
        let e = biased - 1023 + (big ? 1 : 0)
        let z = (m - 1) / (m + 1)
        let z2 = z * z
        var poly = 2.0 / 17
        poly = poly * z2 + 2.0 / 15
        poly = poly * z2 + 2.0 / 13
        poly = poly * z2 + 2.0 / 11
        poly = poly * z2 + 2.0 / 9
        poly = poly * z2 + 2.0 / 7
        poly = poly * z2 + 2.0 / 5
        poly = poly * z2 + 2.0 / 3
        poly = poly * z2 + 2.0
        return e * 0.6931471805599453 + z * poly
    }
}

/// Float64 sums of float32 runs with four interleaved accumulators (a fixed order, so the
/// result does not depend on anything but the input).
enum Summation {
    @inline(__always)
    static func sum(_ values: UnsafePointer<Float>, count: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var j = 0
        while j + 4 <= count {
            s0 += Double(values[j])
            s1 += Double(values[j + 1])
            s2 += Double(values[j + 2])
            s3 += Double(values[j + 3])
            j += 4
        }
        while j < count {
            s0 += Double(values[j])
            j += 1
        }
        return (s0 + s1) + (s2 + s3)
    }
}
