import FrameCutCore

/// Layer normalisation over the channels of every position of an NCHW tensor: what ConvNeXt
/// calls a channels-last layer norm (`x.permute(0, 2, 3, 1)` then `nn.LayerNorm(C)`) and its
/// channels-first variant (Hugging Face `ConvNextV2LayerNorm(data_format="channels_first")`,
/// timm `LayerNorm2d`), which compute the same function. Computed in place on the NCHW layout
/// (no permutes): statistics per position in float64, variance biased (divided by C) as torch's.
///
/// Each position is normalised on its own, so the result does not depend on how positions are
/// split across threads.
public struct ChannelLayerNorm: Sendable {
    public let channels: Int
    public let eps: Double
    let weight: [Float]
    let bias: [Float]

    /// Positions normalised together (the accumulators of one block stay in L1).
    static let blockSize = 512

    public init(channels: Int, weight: [Float], bias: [Float], eps: Double) {
        precondition(weight.count == channels && bias.count == channels,
                     "ChannelLayerNorm: \(weight.count) weights, \(bias.count) biases for \(channels) channels")
        self.channels = channels
        self.weight = weight
        self.bias = bias
        self.eps = eps
    }

    /// `y[n, c, h, w] = (x[n, c, h, w] - mean[n, h, w]) / sqrt(var[n, h, w] + eps) * weight[c] + bias[c]`.
    public func callAsFunction(_ x: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(x.rank == 4 && x.channels == channels, "ChannelLayerNorm: input \(x.shape), expected \(channels) channels")
        let plane = x.height * x.width, c = channels
        let blocks = (plane + Self.blockSize - 1) / Self.blockSize
        return Tensor(shape: x.shape) { out in
            let dst = SendablePointer(out.baseAddress!)
            x.values.withUnsafeBufferPointer { input in
                let src = UncheckedSendable(input.baseAddress!)
                context.forEachRange(x.batch * blocks) { items in
                    var mean = [Double](repeating: 0, count: Self.blockSize)
                    var scale = [Double](repeating: 0, count: Self.blockSize)
                    for item in items {
                        let n = item / blocks, lo = (item % blocks) * Self.blockSize
                        let count = Swift.min(Self.blockSize, plane - lo)
                        let s = src.value + n * c * plane + lo, d = dst.base + n * c * plane + lo
                        normalize(s, d, plane: plane, count: count, mean: &mean, scale: &scale)
                    }
                }
            }
        }
    }

    /// Normalises `count` positions starting at `s` (channel stride `plane`) into `d`.
    @inline(__always)
    private func normalize(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, plane: Int, count: Int,
                           mean: inout [Double], scale: inout [Double]) {
        let c = channels
        mean.withUnsafeMutableBufferPointer { m in
            scale.withUnsafeMutableBufferPointer { v in
                let m = m.baseAddress!, v = v.baseAddress!
                for i in 0..<count { m[i] = 0; v[i] = 0 }
                for ch in 0..<c {
                    let row = s + ch * plane
                    for i in 0..<count { m[i] += Double(row[i]) }
                }
                let inverseC = 1 / Double(c)
                for i in 0..<count { m[i] *= inverseC }
                for ch in 0..<c {
                    let row = s + ch * plane
                    for i in 0..<count {
                        let t = Double(row[i]) - m[i]
                        v[i] += t * t
                    }
                }
                for i in 0..<count { v[i] = 1 / (v[i] * inverseC + eps).squareRoot() }
                for ch in 0..<c {
                    let row = s + ch * plane, out = d + ch * plane
                    let w = weight[ch], b = bias[ch]
                    for i in 0..<count { out[i] = Float((Double(row[i]) - m[i]) * v[i]) * w + b }
                }
            }
        }
    }
}
