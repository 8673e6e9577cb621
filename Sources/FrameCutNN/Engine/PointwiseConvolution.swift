import CFrameCutNNKernels
import FrameCutCore

/// A 1x1 stride-1 convolution on NCHW (a channel-mixing `nn.Linear` at every position: ConvNeXt's
/// `pwconv1` / `pwconv2`) on the engine's AVX-512 pointwise kernel (`framecut_nn_pointwise`),
/// with what surrounds it in a ConvNeXt block fused in:
///
/// - on the way in, while a block of positions is packed: a channel layer norm of each position
///   (`ChannelLayerNorm`'s arithmetic, bit for bit) or a per-(image, channel) affine map (global
///   response normalisation's `x * (1 + weight * n) + bias`);
/// - on the way out: the bias, then GELU or the residual, and optionally each output channel's
///   sum of squares per block of positions (for the next global response norm).
///
/// The weight is packed once at load (`out x in` into tiles of 12 output channels) and the
/// unpacked copy is not kept. Every output is one fused multiply-add chain over the input
/// channels in increasing order from zero, then the bias, then the residual, so its bits depend
/// on its operands only; positions are cut into blocks that depend on the layer's shape only
/// (the sums of squares are per block, combined in block order), so results are bit-identical
/// for any thread count and batch. `init` returns nil where the CPU lacks AVX-512 (callers keep
/// a `Conv2d`).
struct PointwiseConvolution: Sendable {
    let inChannels: Int
    let outChannels: Int
    let bias: [Float]
    /// `framecut_nn_pointwise_pack_weight`'s layout.
    let packedWeight: [Float]

    /// What is applied to the input while it is packed.
    enum InputTransform {
        case none
        /// `ChannelLayerNorm` over each position's channels.
        case layerNorm(ChannelLayerNorm)
        /// `x * scale[n * in + c] + shift[c]`.
        case affine(scale: [Float], shift: [Float])
    }

    /// Output channels per packed weight tile.
    static let tile = Int(FRAMECUT_NN_POINTWISE_TILE)
    /// Positions per packed input panel.
    static let panel = Int(FRAMECUT_NN_POINTWISE_PANEL)
    /// Budget for one packed block of positions (`in x positions` floats), which every output tile
    /// of an item reads from L2.
    static let blockBytes = 192 * 1024

    /// Packs `weight` (`out x in`, row-major); nil where the AVX-512 kernel cannot run or the
    /// sizes do not match.
    init?(inChannels: Int, outChannels: Int, weight: [Float], bias: [Float]) {
        guard bias.count == outChannels,
              let packed = KernelWeights.packed(weight, rows: outChannels, columns: inChannels,
                                                count: { out, inp in framecut_nn_pointwise_weight_count(out, inp) },
                                                pack: { src, dst in
                                                    framecut_nn_pointwise_pack_weight(src, Int32(outChannels), Int32(inChannels), dst)
                                                }) else { return nil }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.bias = bias
        packedWeight = packed
    }

    /// Positions per block for a plane of `plane` positions: about `blockBytes` of packed input,
    /// whole panels, blocks of nearly equal size. Depends on the layer's shape only.
    func positionsPerBlock(plane: Int) -> Int {
        let cap = max(Self.panel, min(256, Self.blockBytes / (4 * inChannels) / Self.panel * Self.panel))
        let blocks = (plane + cap - 1) / cap
        let per = (plane + blocks - 1) / blocks
        return (per + Self.panel - 1) / Self.panel * Self.panel
    }

    /// `framecut_nn_pointwise_rows`'s code for `activation` (its AVX-512 GELU and QuickGELU are
    /// `VectorMath`'s bit for bit), nil for the activations it does not do.
    static func kernelCode(_ activation: Activation) -> Int32? {
        switch activation {
        case .identity: 0
        case .gelu: 1
        case .quickGelu: 2
        default: nil
        }
    }

    /// Output-tile chunks per (image, block), only so that the threads get equal shares: the
    /// fewest that give every thread the same number of items, at least 4 each (each chunk
    /// packs its block again). Any cut gives the same bits.
    static func chunks(items: Int, tiles: Int, threads: Int) -> Int {
        guard threads > 1, items > 0 else { return 1 }
        var chunks = 1
        while chunks < tiles && (items * chunks % threads != 0 || items * chunks < 4 * threads) { chunks += 1 }
        return chunks
    }

    /// The layer on `x` (`N x in x H x W`). `activation` is applied after the bias (only
    /// `.identity` with a `residual`, which is added after the bias). With `sumsOfSquares`, also
    /// returns, per image and output channel, the sum over the positions of the output's squares
    /// (float64, per block of positions, the blocks added in order).
    func callAsFunction(_ x: Tensor, input: InputTransform = .none, activation: Activation = .identity,
                        residual: Tensor? = nil, sumsOfSquares: Bool = false,
                        context: ComputeContext) -> (output: Tensor, sumsOfSquares: [Double]?) {
        precondition(x.rank == 4 && x.channels == inChannels, "PointwiseConvolution: input \(x.shape), expected \(inChannels) channels")
        let batch = x.batch, plane = x.height * x.width
        let shape = [batch, outChannels, x.height, x.width]
        if let residual { precondition(residual.shape == shape, "PointwiseConvolution: residual \(residual.shape), expected \(shape)") }
        let per = positionsPerBlock(plane: plane)
        let blocks = (plane + per - 1) / per
        let tiles = (outChannels + Self.tile - 1) / Self.tile
        let chunks = Self.chunks(items: batch * blocks, tiles: tiles, threads: context.threads)
        var squares = sumsOfSquares ? [Double](repeating: 0, count: batch * blocks * outChannels) : []
        let flops = 2 * Double(batch * plane) * Double(inChannels) * Double(outChannels)
        let output = context.profiled(.pointwise, flops: flops) {
            Tensor(shape: shape) { out in
                squares.withUnsafeMutableBufferPointer { sq in
                    let job = Job(layer: self, input: input, activation: activation, plane: plane, per: per, blocks: blocks,
                                  tiles: tiles, chunks: chunks, x: x, residual: residual, out: SendablePointer(out.baseAddress!),
                                  squares: sumsOfSquares ? sq.baseAddress.map { SendablePointer($0) } : nil)
                    job.run(items: batch * blocks * chunks, context: context)
                }
            }
        }
        guard sumsOfSquares else { return (output, nil) }
        var totals = [Double](repeating: 0, count: batch * outChannels)
        for n in 0..<batch {
            for b in 0..<blocks {
                let row = (n * blocks + b) * outChannels
                for c in 0..<outChannels { totals[n * outChannels + c] += squares[row + c] }
            }
        }
        return (output, totals)
    }

    /// One call's operands; items (image, block of positions, chunk of output tiles) run
    /// concurrently on disjoint outputs.
    private struct Job: @unchecked Sendable {
        let layer: PointwiseConvolution
        let input: InputTransform
        let activation: Activation
        let plane: Int, per: Int, blocks: Int, tiles: Int, chunks: Int
        let x: Tensor
        let residual: Tensor?
        let out: SendablePointer<Float>
        let squares: SendablePointer<Double>?

        /// Output tiles between two epilogues (their outputs stay in cache for GELU and the squares).
        static let tilesPerStep = 4

        func run(items: Int, context: ComputeContext) {
            let cin = layer.inChannels
            x.values.withUnsafeBufferPointer { xs in
                let xBase = UncheckedSendable(xs.baseAddress!)
                context.forEachRange(items) { range in
                    var packed = [Float](repeating: 0, count: framecut_nn_pointwise_input_count(Int32(cin), Int32(per)))
                    packed.withUnsafeMutableBufferPointer { pk in
                        let pk = pk.baseAddress!
                        for item in range {
                            let chunk = item % chunks, block = (item / chunks) % blocks, n = item / (chunks * blocks)
                            let p0 = block * per, positions = min(per, plane - p0)
                            pack(xBase.value + n * cin * plane + p0, image: n, positions: positions, into: pk)
                            let tileRange = (tiles * chunk / chunks)..<(tiles * (chunk + 1) / chunks)
                            var t = tileRange.lowerBound
                            while t < tileRange.upperBound {
                                let step = min(Self.tilesPerStep, tileRange.upperBound - t)
                                compute(image: n, block: block, p0: p0, positions: positions, tiles: t..<(t + step), packed: pk)
                                t += step
                            }
                        }
                    }
                }
            }
        }

        /// (The kernels' "not available" results cannot occur: `init` requires AVX-512.)
        private func pack(_ src: UnsafePointer<Float>, image n: Int, positions: Int, into packed: UnsafeMutablePointer<Float>) {
            let cin = Int32(layer.inChannels)
            switch input {
            case .none:
                _ = framecut_nn_pointwise_pack_input(src, plane, cin, Int32(positions), nil, nil, packed)
            case .layerNorm(let norm):
                norm.weight.withUnsafeBufferPointer { w in
                    norm.bias.withUnsafeBufferPointer { b in
                        _ = framecut_nn_pointwise_pack_input_norm(src, plane, cin, Int32(positions), w.baseAddress, b.baseAddress,
                                                              norm.eps, packed)
                    }
                }
            case .affine(let scale, let shift):
                scale.withUnsafeBufferPointer { s in
                    shift.withUnsafeBufferPointer { b in
                        _ = framecut_nn_pointwise_pack_input(src, plane, cin, Int32(positions), s.baseAddress.map { $0 + n * layer.inChannels },
                                                         b.baseAddress, packed)
                    }
                }
            }
        }

        private func compute(image n: Int, block: Int, p0: Int, positions: Int, tiles: Range<Int>, packed: UnsafeMutablePointer<Float>) {
            let cin = layer.inChannels, cout = layer.outChannels
            let offset = n * cout * plane + p0
            let y = out.base + offset
            layer.packedWeight.withUnsafeBufferPointer { w in
                layer.bias.withUnsafeBufferPointer { b in
                    if let residual {
                        residual.values.withUnsafeBufferPointer { r in
                            _ = framecut_nn_pointwise(Int32(cin), Int32(cout), w.baseAddress, Int32(tiles.lowerBound), Int32(tiles.count),
                                                      packed, Int32(positions), b.baseAddress, r.baseAddress! + offset, y, plane)
                        }
                    } else {
                        _ = framecut_nn_pointwise(Int32(cin), Int32(cout), w.baseAddress, Int32(tiles.lowerBound), Int32(tiles.count),
                                                  packed, Int32(positions), b.baseAddress, nil, y, plane)
                    }
                }
            }
            let channels = (tiles.lowerBound * PointwiseConvolution.tile)..<min(cout, tiles.upperBound * PointwiseConvolution.tile)
            guard activation != .identity || squares != nil else { return }
            let sq = squares.map { $0.base + (n * blocks + block) * cout + channels.lowerBound }
            if let code = PointwiseConvolution.kernelCode(activation),
               framecut_nn_pointwise_rows(y + channels.lowerBound * plane, plane, Int32(channels.count), Int32(positions), code, sq) != 0 {
                return
            }
            for o in channels {
                let row = y + o * plane
                activation.apply(row, count: positions)
                if let squares {
                    squares.base[(n * blocks + block) * cout + o] = GlobalResponseNorm.sumOfSquares(row, count: positions)
                }
            }
        }
    }
}
