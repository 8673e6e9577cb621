import FrameCutCore

/// `nn.Linear` over the channels of every position of an NCHW tensor (ConvNeXt's pointwise
/// layers, `pwconv1` / `pwconv2`, a 1x1 convolution): `y[n, :, p] = act(W x[n, :, p] + b + residual)`.
///
/// With AVX-512 it runs the engine's packed kernel (`PackedMatrix`) as `Y_n = W X_n`: the weight
/// rows are broadcast, each image's positions packed into panels of 32 per call (one copy of the
/// input, cheap beside `2 * out` multiply-adds per value). Every output is one fused
/// multiply-add chain over the input channels in order, so results are bit-identical for every
/// thread count and batch, however the positions are cut. Elsewhere it is the equivalent
/// `Conv2d` (OpenBLAS).
public struct ChannelLinear: Sendable {
    public let inChannels: Int
    public let outChannels: Int
    public let activation: Activation
    /// `out x in`.
    let weight: [Float]
    let bias: [Float]
    /// The same layer as a 1x1 convolution, for CPUs without AVX-512.
    let convolution: Conv2d

    public init(inChannels: Int, outChannels: Int, weight: [Float], bias: [Float], activation: Activation) {
        precondition(weight.count == inChannels * outChannels && bias.count == outChannels,
                     "ChannelLinear: \(weight.count) weights, \(bias.count) biases for \(inChannels) -> \(outChannels)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.activation = activation
        self.weight = weight
        self.bias = bias
        convolution = Conv2d(inChannels: inChannels, outChannels: outChannels, kernel: (1, 1), weight: weight, bias: bias,
                             activation: activation)
    }

    /// `activation(W x + b + residual)` at every position; `residual` has the output's shape.
    public func callAsFunction(_ x: Tensor, residual: Tensor? = nil, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(x.rank == 4 && x.channels == inChannels, "ChannelLinear: input \(x.shape), expected \(inChannels) channels")
        guard PackedMatrix.isAvailable else { return convolution(x, residual: residual, context: context) }
        let n = x.batch, plane = x.height * x.width
        if let residual { precondition(residual.shape == [n, outChannels, x.height, x.width], "ChannelLinear: residual \(residual.shape)") }
        return context.profiled(.pointwise, flops: 2 * Double(n * plane * inChannels * outChannels)) {
            forward(x, residual: residual, context: context)
        }
    }

    private func forward(_ x: Tensor, residual: Tensor?, context: ComputeContext) -> Tensor {
        let n = x.batch, plane = x.height * x.width, k = inChannels, m = outChannels
        let width = PackedMatrix.panelWidth, panels = (plane + width - 1) / width
        // Whole images per thread when there are enough; otherwise each image's panels cut into
        // one run per thread. Any cut gives the same bits.
        let runsPerImage = n >= context.threads ? 1 : min(panels, context.threads)
        let items = n * runsPerImage, workers = min(context.threads, items)
        return Tensor(shape: [n, m, x.height, x.width]) { out in
            let dst = SendablePointer(out.baseAddress!)
            x.values.withUnsafeBufferPointer { xs in
                weight.withUnsafeBufferPointer { ws in
                    bias.withUnsafeBufferPointer { bs in
                        let xp = UncheckedSendable(xs.baseAddress!), wp = UncheckedSendable(ws.baseAddress!), bp = UncheckedSendable(bs.baseAddress!)
                        let rp = UncheckedSendable(residual?.values)
                        context.forEach(workers) { worker in
                            var scratch: [Float] = []
                            for item in (items * worker / workers)..<(items * (worker + 1) / workers) {
                                let image = item / runsPerImage, run = item % runsPerImage
                                let own = (panels * run / runsPerImage)..<(panels * (run + 1) / runsPerImage)
                                let first = own.lowerBound * width, columns = min(plane, own.upperBound * width) - first
                                let count = PackedMatrix.packedCount(k: k, n: columns)
                                if scratch.count < count { scratch = [Float](repeating: 0, count: count) }
                                let c = dst.base + image * m * plane + first
                                scratch.withUnsafeMutableBufferPointer { packed in
                                    PackedMatrix.pack(xp.value + image * k * plane + first, rowStride: plane, k: k, n: columns,
                                                      into: packed.baseAddress!)
                                    PackedMatrix.product(rows: m, a: wp.value, lda: k, packed: packed.baseAddress!, k: k, n: columns,
                                                         panels: 0..<own.count, columnBias: nil, rowBias: bp.value, c: c, ldc: plane)
                                }
                                epilogue(c, residual: rp.value, offset: image * m * plane + first, columns: columns, plane: plane)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the residual, then applies the activation, to `columns` positions of every output row.
    @inline(__always)
    private func epilogue(_ c: UnsafeMutablePointer<Float>, residual: [Float]?, offset: Int, columns: Int, plane: Int) {
        if let residual {
            residual.withUnsafeBufferPointer { r in
                for row in 0..<outChannels {
                    let o = c + row * plane, s = r.baseAddress! + offset + row * plane
                    for j in 0..<columns { o[j] += s[j] }
                }
            }
        }
        guard activation != .identity else { return }
        for row in 0..<outChannels { activation.apply(c + row * plane, count: columns) }
    }
}
