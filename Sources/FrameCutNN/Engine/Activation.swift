import FrameCutCore
import Foundation

/// The pointwise nonlinearities the models use, applied in place (fused into the layer
/// that produces the values where possible).
public enum Activation: String, Codable, Sendable {
    case identity
    case relu
    /// `min(max(x, 0), 6)` (MobileNet / EfficientNet-Lite).
    case relu6
    /// Exact GELU, `x * (1 + erf(x / sqrt 2)) / 2` (torch `nn.GELU()` default), with the erf of
    /// PyTorch's vectorised CPU kernel (absolute error below 1.5e-7).
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
            VectorMath.gelu(p, count: count)
        case .geluTanh:
            for i in 0..<count {
                let x = Double(p[i])
                p[i] = Float(0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))))
            }
        case .quickGelu:
            VectorMath.quickGelu(p, count: count)
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
