import FrameCutCore
import Foundation

/// The pointwise nonlinearities the models use, applied in place (fused into the layer
/// that produces the values where possible).
public enum Activation: String, Codable, Sendable {
    case identity
    case relu
    /// `min(max(x, 0), 6)` (MobileNet / EfficientNet-Lite).
    case relu6
    /// Exact GELU, `x * (1 + erf(x / sqrt 2)) / 2` (torch `nn.GELU()` default), with `erf` from
    /// a vectorised rational approximation (`Activation.erf`, within 5e-7 of the true value).
    case gelu
    /// GELU with the tanh approximation (torch `approximate="tanh"`).
    case geluTanh
    /// `x * sigmoid(1.702 x)` (OpenAI CLIP's `QuickGELU`).
    case quickGelu
    /// `x * sigmoid(x)` (a.k.a. swish).
    case silu
    case sigmoid

    /// Applies the activation to `count` values at `p`.
    @inline(__always)
    func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity:
            return
        case .relu:
            for i in 0..<count { p[i] = max(p[i], 0) }
        case .relu6:
            for i in 0..<count { p[i] = min(max(p[i], 0), 6) }
        case .gelu:
            for i in 0..<count {
                let x = p[i]
                p[i] = 0.5 * x * (1 + Activation.erf(x * 0.70710678118654752))
            }
        case .geluTanh:
            for i in 0..<count {
                let x = Double(p[i])
                p[i] = Float(0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))))
            }
        case .quickGelu:
            for i in 0..<count {
                let x = p[i]
                p[i] = x / (1 + expf(-1.702 * x))
            }
        case .silu:
            for i in 0..<count {
                let x = p[i]
                p[i] = x / (1 + expf(-x))
            }
        case .sigmoid:
            for i in 0..<count { p[i] = 1 / (1 + expf(-p[i])) }
        }
    }

    /// The activation applied to a whole tensor.
    public func callAsFunction(_ x: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        if self == .identity { return x }
        var y = x
        let n = y.count
        y.values.withUnsafeMutableBufferPointer { buffer in
            let base = SendablePointer(buffer.baseAddress!)
            context.forEachRange(n, minimumPerPart: 1 << 16) { range in
                apply(base.base + range.lowerBound, count: range.count)
            }
        }
        return y
    }
}

extension Activation {
    /// `erf(x)` in float32 without library calls, so loops over it vectorise: the odd/even
    /// rational approximation of Eigen's `generic_fast_erf_float` on `[-4, 4]` (beyond it erf is
    /// ±1 in float32). Largest deviation from the true erf: 4.3e-7 (near |x| = 3.6).
    @inline(__always)
    static func erf(_ value: Float) -> Float {
        let x = Swift.min(Swift.max(value, -4), 4)
        let x2 = x * x
        var p: Float = -2.72614225801306e-10
        p = p * x2 + 2.77068142495902e-08
        p = p * x2 - 2.10102402082508e-06
        p = p * x2 - 5.69250639462346e-05
        p = p * x2 - 7.34990630326855e-04
        p = p * x2 - 2.95459980854025e-03
        p = p * x2 - 1.60960333262415e-02
        var q: Float = -1.45660718464996e-05
        q = q * x2 - 2.13374055278905e-04
        q = q * x2 - 1.68282697438203e-03
        q = q * x2 - 7.37332916720468e-03
        q = q * x2 - 1.42647390514189e-02
        return x * p / q
    }
}
