import Foundation

/// Shape-level and normalisation operations.
public enum TensorOps {
    /// Concatenation along the channel dimension of NCHW tensors with equal N, H, W (`torch.cat(dim=1)`).
    public static func concatChannels(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "concat: no inputs")
        let n = parts[0].batch, h = parts[0].height, w = parts[0].width
        for p in parts { precondition(p.rank == 4 && p.batch == n && p.height == h && p.width == w, "concat: shape \(p.shape)") }
        let channels = parts.reduce(0) { $0 + $1.channels }
        let plane = h * w
        return Tensor(shape: [n, channels, h, w]) { out in
            var offset = 0
            for i in 0..<n {
                for p in parts {
                    let size = p.channels * plane
                    p.values.withUnsafeBufferPointer { src in
                        (out.baseAddress! + offset).update(from: src.baseAddress! + i * size, count: size)
                    }
                    offset += size
                }
            }
        }
    }

    /// `a + b * scale` elementwise, then `activation` (residual connections with a branch scale).
    public static func add(_ a: Tensor, _ b: Tensor, scale: Float = 1, activation: Activation = .identity) -> Tensor {
        precondition(a.shape == b.shape, "add: shapes \(a.shape) and \(b.shape)")
        var y = a
        y.values.withUnsafeMutableBufferPointer { out in
            b.values.withUnsafeBufferPointer { bs in
                if scale == 1 {
                    for i in 0..<out.count { out[i] += bs[i] }
                } else {
                    for i in 0..<out.count { out[i] += bs[i] * scale }
                }
                activation.apply(out.baseAddress!, count: out.count)
            }
        }
        return y
    }

    /// Layer normalisation over the last dimension (`nn.LayerNorm(D, eps)`), statistics in float64.
    public static func layerNorm(_ x: Tensor, weight: [Float], bias: [Float], eps: Double) -> Tensor {
        let d = x.shape.last ?? 0
        precondition(weight.count == d && bias.count == d, "layerNorm: \(weight.count) weights for dimension \(d)")
        var y = x
        y.values.withUnsafeMutableBufferPointer { v in
            for r in 0..<(v.count / max(d, 1)) {
                let p = v.baseAddress! + r * d
                var mean = 0.0
                for k in 0..<d { mean += Double(p[k]) }
                mean /= Double(d)
                var variance = 0.0
                for k in 0..<d { let t = Double(p[k]) - mean; variance += t * t }
                variance /= Double(d)
                let inv = 1 / (variance + eps).squareRoot()
                for k in 0..<d { p[k] = Float((Double(p[k]) - mean) * inv) * weight[k] + bias[k] }
            }
        }
        return y
    }

    /// Softmax over the last dimension.
    public static func softmax(_ x: Tensor) -> Tensor {
        let d = x.shape.last ?? 0
        var y = x
        y.values.withUnsafeMutableBufferPointer { v in
            for r in 0..<(v.count / max(d, 1)) {
                let p = v.baseAddress! + r * d
                var m = -Float.infinity
                for k in 0..<d { m = max(m, p[k]) }
                var total = 0.0
                for k in 0..<d { let e = expf(p[k] - m); p[k] = e; total += Double(e) }
                let inv = Float(1 / total)
                for k in 0..<d { p[k] *= inv }
            }
        }
        return y
    }

    /// Each row of an `N x D` tensor scaled to unit L2 norm (rows of zeros stay zero).
    public static func l2Normalized(_ x: Tensor) -> Tensor {
        let d = x.shape.last ?? 0
        var y = x
        y.values.withUnsafeMutableBufferPointer { v in
            for r in 0..<(v.count / max(d, 1)) {
                let p = v.baseAddress! + r * d
                var total = 0.0
                for k in 0..<d { total += Double(p[k]) * Double(p[k]) }
                if total > 0 {
                    let inv = 1 / total.squareRoot()
                    for k in 0..<d { p[k] = Float(Double(p[k]) * inv) }
                }
            }
        }
        return y
    }
}
