import FrameCutCore

/// Global response normalisation (ConvNeXt V2, Woo et al. 2023) on an NCHW tensor, per image:
///
///     g[c] = ||x[c, :, :]||_2              (over the spatial positions)
///     n[c] = g[c] / (mean_c g[c] + eps)   (eps = 1e-6, added to the mean, not inside a sqrt)
///     y    = x + (bias[c] + weight[c] * (x * n[c]))
///
/// Hugging Face `ConvNextV2GRN` (`weight * (x * n) + bias + x`, eps fixed at 1e-6) and timm
/// `GlobalResponseNorm` (`x + addcmul(bias, weight, x * n)`, eps 1e-6) compute this same
/// function; they differ only in the parameters' shapes (`[1, 1, 1, C]` and `[C]`). Here it is
/// applied as `x * (1 + weight[c] * n[c]) + bias[c]`, equal up to float rounding.
///
/// Norms are sums over one channel's plane in a fixed order and the mean a sum over channels in
/// a fixed order, so results do not depend on the thread count.
public struct GlobalResponseNorm: Sendable {
    public let channels: Int
    public let eps: Float
    let weight: [Float]
    let bias: [Float]

    public init(channels: Int, weight: [Float], bias: [Float], eps: Float = 1e-6) {
        precondition(weight.count == channels && bias.count == channels,
                     "GlobalResponseNorm: \(weight.count) weights, \(bias.count) biases for \(channels) channels")
        self.channels = channels
        self.weight = weight
        self.bias = bias
        self.eps = eps
    }

    public func callAsFunction(_ x: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(x.rank == 4 && x.channels == channels, "GlobalResponseNorm: input \(x.shape), expected \(channels) channels")
        let plane = x.height * x.width, c = channels, batch = x.batch
        var norms = [Float](repeating: 0, count: batch * c)
        var y = x
        y.values.withUnsafeMutableBufferPointer { values in
            let v = SendablePointer(values.baseAddress!)
            norms.withUnsafeMutableBufferPointer { g in
                let g = SendablePointer(g.baseAddress!)
                context.forEachRange(batch * c) { planes in
                    for p in planes { g.base[p] = Float(Self.sumOfSquares(v.base + p * plane, count: plane).squareRoot()) }
                }
                for image in 0..<batch { foldScale(g.base + image * c) }
                context.forEachRange(batch * c) { planes in
                    for p in planes {
                        let scale = g.base[p], shift = bias[p % c]
                        let row = v.base + p * plane
                        for i in 0..<plane { row[i] = row[i] * scale + shift }
                    }
                }
            }
        }
        return y
    }

    /// Per image and channel the scale `1 + weight[c] * n[c]` that `x * scale + bias[c]` applies,
    /// from each channel's sum of squares over the positions (`batch x channels`, as
    /// `PointwiseConvolution` returns them): the response norm with the layer that produced `x`
    /// fused (`ConvNeXtV2`'s fast path, which applies it while packing the next layer's input).
    func scales(sumsOfSquares: [Double]) -> [Float] {
        var g = sumsOfSquares.map { Float($0.squareRoot()) }
        g.withUnsafeMutableBufferPointer { g in
            for image in 0..<(g.count / max(channels, 1)) { foldScale(g.baseAddress! + image * channels) }
        }
        return g
    }

    /// `n[c] = g[c] / (mean g + eps)`, folded into a per-channel scale `1 + weight * n`, in place
    /// on one image's `channels` norms.
    @inline(__always)
    private func foldScale(_ g: UnsafeMutablePointer<Float>) {
        var total = 0.0
        for ch in 0..<channels { total += Double(g[ch]) }
        let denominator = Float(total / Double(channels)) + eps
        for ch in 0..<channels { g[ch] = 1 + weight[ch] * (g[ch] / denominator) }
    }

    /// `sum x[i]^2` in float64 over 8 lanes then combined in a fixed order.
    @inline(__always)
    static func sumOfSquares(_ p: UnsafePointer<Float>, count: Int) -> Double {
        var lanes = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let f = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            let d = SIMD8<Double>(Double(f[0]), Double(f[1]), Double(f[2]), Double(f[3]),
                                  Double(f[4]), Double(f[5]), Double(f[6]), Double(f[7]))
            lanes += d * d
            i += 8
        }
        var total = lanes.sum()
        while i < count {
            total += Double(p[i]) * Double(p[i])
            i += 1
        }
        return total
    }
}
