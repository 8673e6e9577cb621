import Foundation
import Testing
import FrameCutCore
@testable import FrameCutNN

/// The blocked-layout oneDNN path (`Conv2d+Blocked.swift`, `BlockedTensor`): at ResNet-50's
/// layer kinds (1x1, 3x3, strided 3x3 and 1x1, with and without the fused residual sum and
/// ReLU), VGG19-BN's Winograd 3x3, Inception's 1x7 / 7x1 and at channel counts that are not a
/// multiple of 16, equal to the plain path and bit-identical across thread counts and batch
/// sizes; no oneDNN reference kernel runs. Blocked concatenation and pooling equal the NCHW ones.
@Suite("oneDNN blocked-layout convolutions")
struct BlockedConvolutionTests {
    typealias Shape = DNNLConvolutionTests.Shape

    static let shapes: [Shape] = [
        Shape(name: "1x1 reduce", cin: 256, cout: 64, kernel: (1, 1), stride: 1, padding: .none, height: 14, width: 14),
        Shape(name: "1x1 expand", cin: 64, cout: 256, kernel: (1, 1), stride: 1, padding: .none, height: 7, width: 9),
        Shape(name: "3x3", cin: 64, cout: 64, kernel: (3, 3), stride: 1, padding: .symmetric(1), height: 14, width: 14),
        Shape(name: "3x3 s2", cin: 32, cout: 48, kernel: (3, 3), stride: 2, padding: .symmetric(1), height: 15, width: 14),
        Shape(name: "1x1 s2", cin: 64, cout: 128, kernel: (1, 1), stride: 2, padding: .none, height: 14, width: 14),
        Shape(name: "odd channels", cin: 24, cout: 40, kernel: (3, 3), stride: 1, padding: .symmetric(1), height: 9, width: 11),
        // VGG19-BN's wide 3x3 layers (oneDNN's Winograd F(4x4, 3x3)), Inception's unpadded stem 3x3 and its 1x7 / 7x1.
        Shape(name: "3x3 Winograd", cin: 64, cout: 128, kernel: (3, 3), stride: 1, padding: .symmetric(1), height: 28, width: 30),
        Shape(name: "3x3 unpadded", cin: 32, cout: 32, kernel: (3, 3), stride: 1, padding: .none, height: 19, width: 17),
        Shape(name: "1x7", cin: 128, cout: 160, kernel: (1, 7), stride: 1, padding: .symmetric(0, 3), height: 17, width: 17),
        Shape(name: "7x1", cin: 160, cout: 192, kernel: (7, 1), stride: 1, padding: .symmetric(3, 0), height: 17, width: 17),
    ]

    static func residual(_ s: Shape, batch: Int) -> Tensor {
        let conv = DNNLConvolutionTests.layer(s, oneDNN: false)
        let (oh, ow) = conv.outputSize(height: s.height, width: s.width)
        var generator = SeededGenerator(seed: 7)
        return Tensor(shape: [batch, s.cout, oh, ow], values: (0..<(batch * s.cout * oh * ow)).map { _ in generator.nextFloat() - 0.5 })
    }

    @Test("the layout conversion round-trips, padded channels zero")
    func layout() {
        var generator = SeededGenerator(seed: 2)
        let x = Tensor(shape: [2, 19, 3, 5], values: (0..<(2 * 19 * 15)).map { _ in generator.nextFloat() })
        let blocked = BlockedTensor(x)
        #expect(blocked.values.count == 2 * 32 * 15)
        #expect(blocked.tensor() == x)
        #expect(blocked.values[16 * 15 + 3 * 16 + 2] == x.values[(0 * 19 + 18) * 15 + 3])
        #expect(blocked.values[16 * 15 + 3 * 16 + 5] == 0)
    }

    @Test("equals the plain path, bias, residual sum and ReLU fused; oneDNN's own kernels", arguments: shapes)
    func parity(_ s: Shape) throws {
        guard DNNLConvolution.isEnabled else { return }
        for activation in [Activation.relu, .identity] {
            let fast = DNNLConvolutionTests.layer(s, oneDNN: true, activation: activation)
            let plain = DNNLConvolutionTests.layer(s, oneDNN: false, activation: activation)
            let x = DNNLConvolutionTests.input(s, batch: 2), r = Self.residual(s, batch: 2)
            let blocked = fast(BlockedTensor(x)).tensor()
            #expect(relativeError(blocked, plain(x)) < 1e-5, "\(s.name) \(activation): \(relativeError(blocked, plain(x)))")
            let summed = fast(BlockedTensor(x), residual: BlockedTensor(r)).tensor()
            let expected = plain(x, residual: r)
            #expect(relativeError(summed, expected) < 1e-5, "\(s.name) \(activation) + residual: \(relativeError(summed, expected))")
            let (oh, ow) = fast.outputSize(height: s.height, width: s.width)
            let pads = s.padding.resolve(height: s.height, width: s.width, kernel: s.kernel, stride: (s.stride, s.stride))
            let g = ConvGeometry(inChannels: s.cin, height: s.height, width: s.width, kernelH: s.kernel.0, kernelW: s.kernel.1,
                                 strideH: s.stride, strideW: s.stride, padTop: pads.0, padLeft: pads.1, outHeight: oh, outWidth: ow)
            let plan = try #require(fast.blocked?.plan(for: g, padBottom: pads.2, padRight: pads.3, sum: true))
            for name in plan.implementations { #expect(!name.hasPrefix("ref"), "\(s.name): oneDNN runs \(name)") }
        }
    }

    @Test("bit-identical for 1, 2 and 3 threads and inside a batch of 3", arguments: shapes)
    func determinism(_ s: Shape) {
        let conv = DNNLConvolutionTests.layer(s, oneDNN: true)
        let batch = BlockedTensor(DNNLConvolutionTests.input(s, batch: 3)), r = BlockedTensor(Self.residual(s, batch: 3))
        let one = BlockedTensor(DNNLConvolutionTests.input(s, batch: 3).slice(batch: 1..<2))
        let rOne = BlockedTensor(Self.residual(s, batch: 3).slice(batch: 1..<2))
        let reference = conv(one, residual: rOne).tensor()
        for threads in [1, 2, 3] {
            let context = ComputeContext(threads: threads)
            #expect(conv(one, residual: rOne, context: context).tensor() == reference, "\(s.name), \(threads) threads")
            #expect(conv(batch, residual: r, context: context).tensor().slice(batch: 1..<2) == reference,
                    "\(s.name), batch 3, \(threads) threads")
        }
    }
    @Test("a network's first layer reads the plain image: equals the plain path, bit-identical across threads and batch")
    func plainSource() throws {
        guard DNNLConvolution.isEnabled else { return }
        for s in [DNNLConvolutionTests.shapes[0],
                  Shape(name: "CLIP stem 3x3 s2", cin: 3, cout: 32, kernel: (3, 3), stride: 2, padding: .symmetric(1),
                        height: 30, width: 28)] {
            let fast = DNNLConvolutionTests.layer(s, oneDNN: true), plain = DNNLConvolutionTests.layer(s, oneDNN: false)
            let x = DNNLConvolutionTests.input(s, batch: 3)
            let reference = fast.blocked(x.slice(batch: 1..<2)).tensor()
            #expect(relativeError(reference, plain(x.slice(batch: 1..<2))) < 1e-5, "\(s.name)")
            for threads in [1, 2, 3] {
                let context = ComputeContext(threads: threads)
                #expect(fast.blocked(x, context: context).tensor().slice(batch: 1..<2) == reference, "\(s.name), \(threads) threads")
            }
            let (oh, ow) = fast.outputSize(height: s.height, width: s.width)
            let pads = s.padding.resolve(height: s.height, width: s.width, kernel: s.kernel, stride: (s.stride, s.stride))
            let g = ConvGeometry(inChannels: s.cin, height: s.height, width: s.width, kernelH: s.kernel.0, kernelW: s.kernel.1,
                                 strideH: s.stride, strideW: s.stride, padTop: pads.0, padLeft: pads.1, outHeight: oh, outWidth: ow)
            let plan = try #require(fast.blocked?.plan(for: g, padBottom: pads.2, padRight: pads.3, sum: false, plainSource: true))
            for name in plan.implementations { #expect(!name.hasPrefix("ref"), "\(s.name): oneDNN runs \(name)") }
        }
    }

    @Test("3x3 stride-1 layers on whole channel blocks run oneDNN's Winograd kernels, others its direct ones")
    func winograd() throws {
        guard DNNLConvolution.isEnabled else { return }
        for s in Self.shapes where s.kernel == (3, 3) && s.stride == 1 {
            let conv = DNNLConvolutionTests.layer(s, oneDNN: true)
            let (oh, ow) = conv.outputSize(height: s.height, width: s.width)
            let pads = s.padding.resolve(height: s.height, width: s.width, kernel: s.kernel, stride: (1, 1))
            let g = ConvGeometry(inChannels: s.cin, height: s.height, width: s.width, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1,
                                 padTop: pads.0, padLeft: pads.1, outHeight: oh, outWidth: ow)
            let plan = try #require(conv.blocked?.plan(for: g, padBottom: pads.2, padRight: pads.3, sum: false))
            let aligned = s.cin % 16 == 0 && s.cout % 16 == 0
            if aligned && s.name == "3x3 Winograd" {
                for name in plan.implementations { #expect(name.contains("wino"), "\(s.name): oneDNN runs \(name)") }
            }
            if !aligned {
                for name in plan.implementations { #expect(!name.contains("wino"), "\(s.name): oneDNN runs \(name)") }
            }
        }
    }

    @Test("blocked channel concatenation and slices equal the NCHW ones, aligned and unaligned parts, padding zero")
    func concatenation() {
        var generator = SeededGenerator(seed: 11)
        func random(_ c: Int) -> Tensor {
            Tensor(shape: [2, c, 5, 3], values: (0..<(2 * c * 15)).map { _ in generator.nextFloat() - 0.5 })
        }
        for widths in [[32, 16, 48], [12, 32, 6, 16, 20], [16, 7], [5]] {
            let parts = widths.map(random)
            let plain = TensorOps.concatChannels(parts)
            let blocked = BlockedTensor.concatChannels(parts.map { BlockedTensor($0) })
            #expect(blocked.tensor() == plain, "concat \(widths)")
            #expect(blocked.values == BlockedTensor(plain).values, "concat \(widths): padded lanes")
            let split = blocked.splitChannels(widths)
            for (part, original) in zip(split, parts) {
                #expect(part.tensor() == original, "split \(widths)")
                #expect(part.values == BlockedTensor(original).values, "split \(widths): padded lanes")
            }
        }
    }

    @Test("blocked max and average pooling equal the NCHW pooling bit for bit")
    func pooling() {
        var generator = SeededGenerator(seed: 9)
        let x = Tensor(shape: [2, 21, 11, 10], values: (0..<(2 * 21 * 110)).map { _ in generator.nextFloat() - 0.5 })
        let blocked = BlockedTensor(x)
        for threads in [1, 2] {
            let context = ComputeContext(threads: threads)
            #expect(Pooling.max(blocked, kernel: 3, stride: 2, padding: .symmetric(1), context: context).tensor()
                    == Pooling.max(x, kernel: 3, stride: 2, padding: .symmetric(1)))
            #expect(Pooling.average(blocked, kernel: 2, context: context).tensor() == Pooling.average(x, kernel: 2, stride: 2))
            // Inception's branch pool: 3x3, stride 1, padding 1, the padding not counted.
            #expect(Pooling.average(blocked, kernel: 3, stride: 1, padding: .symmetric(1), countIncludesPadding: false,
                                    context: context).tensor()
                    == Pooling.average(x, kernel: 3, stride: 1, padding: .symmetric(1), countIncludesPadding: false))
            #expect(Pooling.max(blocked, kernel: 3, stride: 2, context: context).tensor() == Pooling.max(x, kernel: 3, stride: 2))
        }
    }
    @Test("depthwise layers (EfficientNet-Lite0's 3x3 and 5x5, TF-SAME, stride 2) with ReLU6: equal the plain path, deterministic")
    func depthwise() {
        guard DNNLConvolution.isEnabled else { return }
        for (channels, kernel, stride) in [(40, 3, 1), (96, 5, 2), (24, 3, 2)] {
            var generator = SeededGenerator(seed: 4)
            let weight = (0..<(channels * kernel * kernel)).map { _ in generator.nextFloat() - 0.5 }
            let bias = (0..<channels).map { _ in generator.nextFloat() }
            func layer(_ oneDNN: Bool) -> Conv2d {
                Conv2d(inChannels: channels, outChannels: channels, kernel: (kernel, kernel), stride: (stride, stride),
                       padding: .tfSame, groups: channels, weight: weight, bias: bias, activation: .relu6, oneDNN: oneDNN)
            }
            let fast = layer(true), plain = layer(false)
            #expect(fast.blocked?.isDepthwise == true)
            let x = Tensor(shape: [3, channels, 15, 13], values: (0..<(3 * channels * 195)).map { _ in 8 * generator.nextFloat() - 4 })
            let reference = fast(BlockedTensor(x.slice(batch: 1..<2))).tensor()
            #expect(relativeError(reference, plain(x.slice(batch: 1..<2))) < 1e-5, "depthwise \(channels) \(kernel)x\(kernel) s\(stride)")
            for threads in [1, 2, 3] {
                #expect(fast(BlockedTensor(x), context: ComputeContext(threads: threads)).tensor().slice(batch: 1..<2) == reference,
                        "depthwise \(channels), \(threads) threads")
            }
        }
    }
}
