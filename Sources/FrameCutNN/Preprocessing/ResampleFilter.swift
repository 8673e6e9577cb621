import Foundation

/// Resampling filters with PIL's kernels and supports (libImaging/Resample.c).
public enum ResampleFilter: String, Codable, Sendable, CaseIterable {
    case box, bilinear, hamming, bicubic, lanczos

    /// Half-width of the kernel at scale 1.
    public var support: Double {
        switch self {
        case .box: return 0.5
        case .bilinear, .hamming: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    /// PIL's resample constant (`Image.Resampling`), as stored in model configurations.
    public var pilCode: Int {
        switch self {
        case .lanczos: return 1
        case .bilinear: return 2
        case .bicubic: return 3
        case .box: return 4
        case .hamming: return 5
        }
    }

    @inline(__always) func weight(_ x: Double) -> Double {
        switch self {
        case .box:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let t = abs(x)
            return t < 1 ? 1 - t : 0
        case .hamming:
            let t = abs(x)
            if t == 0 { return 1 }
            if t >= 1 { return 0 }
            let p = t * Double.pi
            return sin(p) / p * (Double(Float(0.54)) + Double(Float(0.46)) * cos(p))
        case .bicubic:
            // Keys cubic convolution with a = -0.5, evaluated in PIL's operation order.
            let a = -0.5
            let t = abs(x)
            if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
            if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
            return 0
        case .lanczos:
            guard -3 <= x && x < 3 else { return 0 }
            return Self.sinc(x) * Self.sinc(x / 3)
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let p = x * Double.pi
        return sin(p) / p
    }
}
