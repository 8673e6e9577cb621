import Foundation
import Testing
import FrameCutCore
import FrameCutIO
@testable import FrameCutNN

/// Single operations against PyTorch (scripts/reference/engine_fixtures.py -> engine_ops.npz).
enum EngineFixtures {
    static let archive: NPZArchive? = try? NPZArchive(contentsOf: NNFixtures.root.appendingPathComponent("engine_ops.npz"))

    static func tensor(_ name: String) throws -> Tensor {
        let archive = try #require(archive, "engine_ops.npz missing")
        let array = try archive.array(named: name)
        return Tensor(shape: array.shape, values: array.floatValues())
    }

    static func floats(_ name: String) throws -> [Float] { try tensor(name).values }
}

/// max |a - b| / max |b|, the parity measure of the model tests.
func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    guard a.shape == b.shape else { return .infinity }
    var diff = 0.0, scale = 0.0
    for i in 0..<a.count {
        diff = max(diff, abs(Double(a.values[i]) - Double(b.values[i])))
        scale = max(scale, abs(Double(b.values[i])))
    }
    return diff / max(scale, 1e-30)
}

@Suite("Engine operations: parity with PyTorch")
struct EngineOpsTests {
    struct ConvCase: Sendable, CustomStringConvertible {
        let name: String, cin: Int, cout: Int, kernel: (Int, Int), stride: Int, padding: Padding, groups: Int, bias: Bool
        var description: String { name }
    }

    static let convCases: [ConvCase] = [
        ConvCase(name: "conv3x3", cin: 5, cout: 7, kernel: (3, 3), stride: 1, padding: .symmetric(1), groups: 1, bias: true),
        ConvCase(name: "conv3x3s2", cin: 4, cout: 6, kernel: (3, 3), stride: 2, padding: .symmetric(1), groups: 1, bias: false),
        ConvCase(name: "conv7x7s2", cin: 3, cout: 8, kernel: (7, 7), stride: 2, padding: .symmetric(3), groups: 1, bias: false),
        ConvCase(name: "conv1x1", cin: 16, cout: 12, kernel: (1, 1), stride: 1, padding: .none, groups: 1, bias: true),
        ConvCase(name: "conv1x1s2", cin: 8, cout: 4, kernel: (1, 1), stride: 2, padding: .none, groups: 1, bias: false),
        ConvCase(name: "conv1x3", cin: 4, cout: 5, kernel: (1, 3), stride: 1, padding: .symmetric(0, 1), groups: 1, bias: true),
        ConvCase(name: "conv3x1", cin: 4, cout: 5, kernel: (3, 1), stride: 1, padding: .symmetric(1, 0), groups: 1, bias: true),
        ConvCase(name: "grouped", cin: 8, cout: 12, kernel: (3, 3), stride: 1, padding: .symmetric(1), groups: 4, bias: true),
        ConvCase(name: "depthwise3", cin: 6, cout: 6, kernel: (3, 3), stride: 1, padding: .symmetric(1), groups: 6, bias: false),
        ConvCase(name: "depthwise5s2same", cin: 6, cout: 6, kernel: (5, 5), stride: 2, padding: .tfSame, groups: 6, bias: false),
        ConvCase(name: "depthwise3s2same", cin: 5, cout: 5, kernel: (3, 3), stride: 2, padding: .tfSame, groups: 5, bias: true),
        ConvCase(name: "conv3x3s2same", cin: 3, cout: 4, kernel: (3, 3), stride: 2, padding: .tfSame, groups: 1, bias: false),
        ConvCase(name: "conv3x3nopad", cin: 3, cout: 4, kernel: (3, 3), stride: 1, padding: .none, groups: 1, bias: true),
    ]

    @Test("conv2d (strides, paddings incl. TF SAME, groups, depthwise) on 1 and 2 threads", arguments: convCases)
    func conv(_ c: ConvCase) throws {
        let conv = Conv2d(inChannels: c.cin, outChannels: c.cout, kernel: c.kernel, stride: (c.stride, c.stride),
                          padding: c.padding, groups: c.groups, weight: try EngineFixtures.floats(c.name + ".w"),
                          bias: c.bias ? try EngineFixtures.floats(c.name + ".b") : nil)
        let x = try EngineFixtures.tensor(c.name + ".x"), y = try EngineFixtures.tensor(c.name + ".y")
        for threads in [1, 2] {
            let out = conv(x, context: ComputeContext(threads: threads))
            #expect(out.shape == y.shape)
            #expect(relativeError(out, y) < 1e-5, "\(c.name), \(threads) threads: \(relativeError(out, y))")
        }
    }

    @Test("batch norm folds into the convolution; ReLU6 fused")
    func convBatchNorm() throws {
        let bn = BatchNormParameters(weight: try EngineFixtures.floats("convbn.gamma"), bias: try EngineFixtures.floats("convbn.beta"),
                                     runningMean: try EngineFixtures.floats("convbn.mean"),
                                     runningVar: try EngineFixtures.floats("convbn.var"), eps: 1e-3)
        let conv = Conv2d(inChannels: 4, outChannels: 5, kernel: (3, 3), padding: .symmetric(1),
                          weight: try EngineFixtures.floats("convbn.w"), batchNorm: bn, activation: .relu6)
        let out = conv(try EngineFixtures.tensor("convbn.x"))
        #expect(relativeError(out, try EngineFixtures.tensor("convbn.y")) < 1e-5)
    }

    @Test("residual add is fused into the epilogue")
    func residual() throws {
        let x = try EngineFixtures.tensor("conv1x1.x")
        let conv = Conv2d(inChannels: 16, outChannels: 12, kernel: (1, 1), weight: try EngineFixtures.floats("conv1x1.w"),
                          bias: try EngineFixtures.floats("conv1x1.b"), activation: .relu)
        let plain = Conv2d(inChannels: 16, outChannels: 12, kernel: (1, 1), weight: try EngineFixtures.floats("conv1x1.w"),
                           bias: try EngineFixtures.floats("conv1x1.b"))
        let residual = plain(x)
        let fused = conv(x, residual: residual)
        let expected = TensorOps.add(plain(x), residual, activation: .relu)
        #expect(relativeError(fused, expected) < 1e-6)
    }

    @Test("max, average (with and without padding counted), adaptive and global pooling")
    func pooling() throws {
        let x = try EngineFixtures.tensor("pool.x")
        for threads in [1, 2] {
            let ctx = ComputeContext(threads: threads)
            let cases: [(String, Tensor)] = [
                ("maxpool3s2p1", Pooling.max(x, kernel: 3, stride: 2, padding: .symmetric(1), context: ctx)),
                ("maxpool3s2", Pooling.max(x, kernel: 3, stride: 2, context: ctx)),
                ("avgpool3s1p1_excl", Pooling.average(x, kernel: 3, stride: 1, padding: .symmetric(1), countIncludesPadding: false, context: ctx)),
                ("avgpool3s1p1_incl", Pooling.average(x, kernel: 3, stride: 1, padding: .symmetric(1), countIncludesPadding: true, context: ctx)),
                ("avgpool2s2", Pooling.average(x, kernel: 2, stride: 2, context: ctx)),
                ("adaptive7", Pooling.adaptiveAverage(x, outHeight: 7, outWidth: 7, context: ctx)),
                ("adaptive4x3", Pooling.adaptiveAverage(x, outHeight: 4, outWidth: 3, context: ctx)),
                ("global", Pooling.globalAverage(x)),
            ]
            for (name, out) in cases {
                #expect(relativeError(out, try EngineFixtures.tensor(name + ".y")) < 1e-6, "\(name)")
            }
        }
        let up = Pooling.adaptiveAverage(try EngineFixtures.tensor("adaptive_up.x"), outHeight: 7, outWidth: 7)
        #expect(relativeError(up, try EngineFixtures.tensor("adaptive_up.y")) < 1e-6)
    }

    @Test("activations, softmax, layer norm, linear")
    func pointwise() throws {
        let x = try EngineFixtures.tensor("act.x")
        let activations: [(Activation, String)] = [(.relu, "relu"), (.relu6, "relu6"), (.gelu, "gelu"), (.geluTanh, "gelu_tanh"),
                                                   (.silu, "silu"), (.sigmoid, "sigmoid")]
        for (activation, name) in activations {
            #expect(relativeError(activation(x), try EngineFixtures.tensor(name + ".y")) < 1e-6, "\(name)")
        }
        #expect(relativeError(TensorOps.softmax(x), try EngineFixtures.tensor("softmax.y")) < 1e-6)
        let ln = TensorOps.layerNorm(x, weight: try EngineFixtures.floats("layernorm.w"), bias: try EngineFixtures.floats("layernorm.b"), eps: 1e-6)
        #expect(relativeError(ln, try EngineFixtures.tensor("layernorm.y")) < 1e-6)
        let linear = Linear(inFeatures: 17, outFeatures: 9, weight: try EngineFixtures.floats("linear.w"), bias: try EngineFixtures.floats("linear.b"))
        for threads in [1, 2] {
            #expect(relativeError(linear(x, context: ComputeContext(threads: threads)), try EngineFixtures.tensor("linear.y")) < 1e-6)
        }
    }

    @Test("channel concatenation keeps each image's parts together")
    func concat() {
        let a = Tensor(shape: [2, 1, 1, 2], values: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2, 1, 2], values: [5, 6, 7, 8, 9, 10, 11, 12])
        let c = TensorOps.concatChannels([a, b])
        #expect(c.shape == [2, 3, 1, 2])
        #expect(c.values == [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12])
    }

    /// A direct (naive) convolution, the reference for shapes too large for a fixture.
    static func naiveConv(_ x: Tensor, weight: [Float], cout: Int, kernel: Int, stride: Int, pad: Int) -> Tensor {
        let n = x.batch, cin = x.channels, h = x.height, w = x.width
        let oh = (h + 2 * pad - kernel) / stride + 1, ow = (w + 2 * pad - kernel) / stride + 1
        var out = [Float](repeating: 0, count: n * cout * oh * ow)
        for b in 0..<n { for o in 0..<cout { for oy in 0..<oh { for ox in 0..<ow {
            var total = 0.0
            for c in 0..<cin { for i in 0..<kernel { for j in 0..<kernel {
                let iy = oy * stride - pad + i, ix = ox * stride - pad + j
                if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
                total += Double(x.values[((b * cin + c) * h + iy) * w + ix]) * Double(weight[((o * cin + c) * kernel + i) * kernel + j])
            } } }
            out[((b * cout + o) * oh + oy) * ow + ox] = Float(total)
        } } } }
        return Tensor(shape: [n, cout, oh, ow], values: out)
    }

    @Test("large convolutions (Winograd for stride 1, im2col row blocks for stride 2) equal a direct convolution",
          arguments: [(1, 1), (1, 2), (3, 2), (2, 1)])
    func largeConvolution(batch: Int, threads: Int) {
        var generator = SeededGenerator(seed: 7)
        // Odd, non-square planes: Winograd tiles (stride 1) hang over the bottom and right edges.
        let cin = 128, cout = 24, height = 19, width = 60
        let x = Tensor(shape: [batch, cin, height, width], values: (0..<(batch * cin * height * width)).map { _ in generator.nextFloat() })
        let weight = (0..<(cout * cin * 9)).map { _ in generator.nextFloat() * 0.1 }
        for (stride, pad) in [(1, 1), (2, 1), (1, 0)] {
            let conv = Conv2d(inChannels: cin, outChannels: cout, kernel: (3, 3), stride: (stride, stride), padding: .symmetric(pad), weight: weight)
            let reference = Self.naiveConv(x, weight: weight, cout: cout, kernel: 3, stride: stride, pad: pad)
            let out = conv(x, context: ComputeContext(threads: threads))
            #expect(relativeError(out, reference) < 1e-5, "stride \(stride): \(relativeError(out, reference))")
        }
    }
}

extension SeededGenerator {
    /// Uniform in [-1, 1), for test tensors.
    mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}
