import CFrameCutNNKernels
import Testing
import FrameCutCore
@testable import FrameCutNN

/// The packed AVX-512 pointwise layer (`PointwiseConvolution`, ConvNeXt's fast path) against its
/// definition: each output one fma chain over the input channels from zero, then bias, then
/// residual; the fused layer norm bit-identical to `ChannelLayerNorm`; bits independent of
/// threads, batch and block cuts; the fused ConvNeXt block equal to the unfused one up to rounding.
@Suite("Engine: packed pointwise convolution")
struct PointwiseConvolutionTests {
    static func random(_ count: Int, _ g: inout SeededGenerator, _ range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in Float.random(in: range, using: &g) }
    }

    /// `chain(x')[o][p] + bias[o] (+ residual)`, x' = x * scale + shift (product rounded, then added).
    static func reference(x: Tensor, weight: [Float], bias: [Float], out: Int, scale: [Float]? = nil, shift: [Float]? = nil,
                          residual: Tensor? = nil) -> [Float] {
        let n = x.batch, cin = x.channels, plane = x.height * x.width
        var y = [Float](repeating: 0, count: n * out * plane)
        for i in 0..<n {
            for o in 0..<out {
                for p in 0..<plane {
                    var acc: Float = 0
                    for c in 0..<cin {
                        var v = x.values[(i * cin + c) * plane + p]
                        if let scale, let shift { v = v * scale[i * cin + c] + shift[c] }
                        acc = acc.addingProduct(weight[o * cin + c], v)
                    }
                    var r = acc + bias[o]
                    if let residual { r = r + residual.values[(i * out + o) * plane + p] }
                    y[(i * out + o) * plane + p] = r
                }
            }
        }
        return y
    }

    @Test("each output is the fma chain, then bias, then residual (tile and panel tails, affine input)",
          .enabled(if: PackedMatrix.isAvailable),
          arguments: [(8, 32, 7, 7), (40, 36, 5, 14), (96, 12, 1, 33), (13, 50, 9, 9), (300, 24, 16, 20)])
    func chain(_ shape: (cin: Int, cout: Int, height: Int, width: Int)) throws {
        var g = SeededGenerator(seed: 41)
        let (cin, cout, h, w) = shape
        let x = Tensor(shape: [2, cin, h, w], values: Self.random(2 * cin * h * w, &g, -2...2))
        let weight = Self.random(cout * cin, &g), bias = Self.random(cout, &g)
        let residual = Tensor(shape: [2, cout, h, w], values: Self.random(2 * cout * h * w, &g))
        let scale = Self.random(2 * cin, &g, 0.5...1.5), shift = Self.random(cin, &g)
        let layer = try #require(PointwiseConvolution(inChannels: cin, outChannels: cout, weight: weight, bias: bias))
        for threads in [1, 2, 3] {
            let context = ComputeContext(threads: threads)
            #expect(layer(x, context: context).output.values == Self.reference(x: x, weight: weight, bias: bias, out: cout))
            let fused = layer(x, input: .affine(scale: scale, shift: shift), residual: residual, context: context).output
            #expect(fused.values == Self.reference(x: x, weight: weight, bias: bias, out: cout, scale: scale, shift: shift,
                                                   residual: residual))
        }
    }

    @Test("the fused layer norm is ChannelLayerNorm bit for bit; GELU and the sums of squares as separate passes",
          .enabled(if: PackedMatrix.isAvailable), arguments: [(8, 32, 7, 7), (96, 48, 16, 20), (24, 96, 1, 1)])
    func fusedNorm(_ shape: (cin: Int, cout: Int, height: Int, width: Int)) throws {
        var g = SeededGenerator(seed: 43)
        let (cin, cout, h, w) = shape
        let x = Tensor(shape: [3, cin, h, w], values: Self.random(3 * cin * h * w, &g, -3...3))
        let norm = ChannelLayerNorm(channels: cin, weight: Self.random(cin, &g), bias: Self.random(cin, &g), eps: 1e-6)
        let layer = try #require(PointwiseConvolution(inChannels: cin, outChannels: cout, weight: Self.random(cout * cin, &g),
                                                      bias: Self.random(cout, &g)))
        let context = ComputeContext(threads: 2)
        var expected = layer(norm(x, context: context), context: context).output
        expected = Activation.gelu(expected)
        let (fused, squares) = layer(x, input: .layerNorm(norm), activation: .gelu, sumsOfSquares: true, context: context)
        #expect(fused == expected)
        let plane = h * w
        let sums = try #require(squares)
        for i in 0..<(3 * cout) {
            let direct = (0..<plane).reduce(0.0) { $0 + Double(fused.values[i * plane + $1]) * Double(fused.values[i * plane + $1]) }
            #expect(abs(sums[i] - direct) <= 1e-9 * max(direct, 1))
        }
    }

    @Test("the AVX-512 GELU and QuickGELU are VectorMath's bit for bit, edge values included", .enabled(if: PackedMatrix.isAvailable))
    func gelu() {
        var g = SeededGenerator(seed: 59)
        var values: [Float] = [0, -0.0, 1, -1, 1e-30, -1e-30, 6, -6, 9.5, -9.5, 40, -40, 100, -100, 1e6, -1e6, .leastNonzeroMagnitude]
        values += Self.random(2000, &g, -12...12) + Self.random(500, &g, -0.01...0.01)
        var expected = values, fast = values
        expected.withUnsafeMutableBufferPointer { VectorMath.gelu($0.baseAddress!, count: $0.count) }
        let done = fast.withUnsafeMutableBufferPointer {
            framecut_nn_pointwise_rows($0.baseAddress!, Int($0.count), 1, Int32($0.count), 1, nil)
        }
        #expect(done == 1)
        #expect(fast.map(\.bitPattern) == expected.map(\.bitPattern))
        var quick = values, quickExpected = values
        quickExpected.withUnsafeMutableBufferPointer { VectorMath.quickGelu($0.baseAddress!, count: $0.count) }
        let quickDone = quick.withUnsafeMutableBufferPointer {
            framecut_nn_pointwise_rows($0.baseAddress!, Int($0.count), 1, Int32($0.count), 2, nil)
        }
        #expect(quickDone == 1)
        #expect(quick.map(\.bitPattern) == quickExpected.map(\.bitPattern))
    }

    @Test("bits independent of threads (1-3) and batch, with every fusion on", .enabled(if: PackedMatrix.isAvailable))
    func deterministic() throws {
        var g = SeededGenerator(seed: 47)
        let cin = 48, cout = 192, h = 23, w = 29
        let x = Tensor(shape: [3, cin, h, w], values: Self.random(3 * cin * h * w, &g, -3...3))
        let norm = ChannelLayerNorm(channels: cin, weight: Self.random(cin, &g), bias: Self.random(cin, &g), eps: 1e-6)
        let layer = try #require(PointwiseConvolution(inChannels: cin, outChannels: cout, weight: Self.random(cout * cin, &g),
                                                      bias: Self.random(cout, &g)))
        let base = layer(x, input: .layerNorm(norm), activation: .gelu, sumsOfSquares: true, context: ComputeContext(threads: 1))
        for threads in [2, 3] {
            let other = layer(x, input: .layerNorm(norm), activation: .gelu, sumsOfSquares: true, context: ComputeContext(threads: threads))
            #expect(other.output == base.output && other.sumsOfSquares == base.sumsOfSquares)
        }
        for image in 0..<3 {
            let one = layer(x.slice(batch: image..<(image + 1)), input: .layerNorm(norm), activation: .gelu, sumsOfSquares: true,
                            context: ComputeContext(threads: 2))
            #expect(one.output == base.output.slice(batch: image..<(image + 1)))
            #expect(one.sumsOfSquares.map { Array($0) } == base.sumsOfSquares.map { Array($0[(image * cout)..<((image + 1) * cout)]) })
        }
    }

    @Test("the fused ConvNeXt block equals the unfused one (norm, 1x1 + GELU, GRN, 1x1 + residual) to 1e-5",
          .enabled(if: PackedMatrix.isAvailable))
    func fusedBlock() throws {
        var g = SeededGenerator(seed: 53)
        let dim = 24, h = 14, w = 14
        let x = Tensor(shape: [2, dim, h, w], values: Self.random(2 * dim * h * w, &g, -2...2))
        let depthwise = Conv2d(inChannels: dim, outChannels: dim, kernel: (7, 7), padding: .symmetric(3), groups: dim,
                               weight: Self.random(dim * 49, &g, -0.2...0.2), bias: Self.random(dim, &g))
        let norm = ChannelLayerNorm(channels: dim, weight: Self.random(dim, &g), bias: Self.random(dim, &g), eps: 1e-6)
        let grn = GlobalResponseNorm(channels: 4 * dim, weight: Self.random(4 * dim, &g), bias: Self.random(4 * dim, &g))
        let w1 = Self.random(4 * dim * dim, &g, -0.3...0.3), b1 = Self.random(4 * dim, &g)
        let w2 = Self.random(4 * dim * dim, &g, -0.2...0.2), b2 = Self.random(dim, &g)
        let packed = ConvNeXtV2.Block(depthwise: depthwise, norm: norm, grn: grn, pointwise: .packed(
            expand: try #require(PointwiseConvolution(inChannels: dim, outChannels: 4 * dim, weight: w1, bias: b1)),
            project: try #require(PointwiseConvolution(inChannels: 4 * dim, outChannels: dim, weight: w2, bias: b2))))
        let plain = ConvNeXtV2.Block(depthwise: depthwise, norm: norm, grn: grn, pointwise: .convolutions(
            expand: Conv2d(inChannels: dim, outChannels: 4 * dim, kernel: (1, 1), weight: w1, bias: b1, activation: .gelu),
            project: Conv2d(inChannels: 4 * dim, outChannels: dim, kernel: (1, 1), weight: w2, bias: b2)))
        let context = ComputeContext(threads: 2)
        #expect(allClose(packed(x, context: context), plain(x, context: context), rtol: 1e-5, atol: 1e-5))
    }
}
