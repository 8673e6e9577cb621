import Foundation
import Testing
import FrameCutCore
@testable import FrameCutNN

/// The oneDNN convolution path (`Conv2d+DNNL.swift`) at the layer shapes of the real models:
/// equal to a float64 direct convolution and to the SGEMM / Winograd paths, and bit-identical
/// across thread counts and batch sizes.
@Suite("oneDNN convolutions")
struct DNNLConvolutionTests {
    struct Shape: Sendable, CustomStringConvertible {
        let name: String, cin: Int, cout: Int, kernel: (Int, Int), stride: Int, padding: Padding, height: Int, width: Int
        var description: String { name }
    }

    // ResNet-50's stem, a 3x3 bottleneck layer, its stride-2 3x3 and 1x1 shortcut, Inception's 1x7,
    // EfficientNet's TF-SAME stride-2 stem, odd channel counts (parts not a multiple of 16).
    static let shapes: [Shape] = [
        Shape(name: "stem 7x7 s2", cin: 3, cout: 64, kernel: (7, 7), stride: 2, padding: .symmetric(3), height: 64, width: 48),
        Shape(name: "3x3", cin: 64, cout: 64, kernel: (3, 3), stride: 1, padding: .symmetric(1), height: 28, width: 28),
        Shape(name: "3x3 s2", cin: 32, cout: 48, kernel: (3, 3), stride: 2, padding: .symmetric(1), height: 29, width: 30),
        Shape(name: "1x1 s2", cin: 64, cout: 128, kernel: (1, 1), stride: 2, padding: .none, height: 28, width: 28),
        Shape(name: "1x7", cin: 24, cout: 20, kernel: (1, 7), stride: 1, padding: .symmetric(0, 3), height: 17, width: 17),
        Shape(name: "3x3 s2 same", cin: 3, cout: 13, kernel: (3, 3), stride: 2, padding: .tfSame, height: 31, width: 32),
        Shape(name: "wide 3x3 (Winograd first)", cin: 128, cout: 24, kernel: (3, 3), stride: 1, padding: .symmetric(1),
              height: 19, width: 60),
    ]

    static func layer(_ s: Shape, oneDNN: Bool, activation: Activation = .relu) -> Conv2d {
        var generator = SeededGenerator(seed: 11)
        let weight = (0..<(s.cout * s.cin * s.kernel.0 * s.kernel.1)).map { _ in generator.nextFloat() * 0.1 }
        let bias = (0..<s.cout).map { _ in generator.nextFloat() }
        return Conv2d(inChannels: s.cin, outChannels: s.cout, kernel: s.kernel, stride: (s.stride, s.stride), padding: s.padding,
                      weight: weight, bias: bias, activation: activation, oneDNN: oneDNN)
    }

    static func input(_ s: Shape, batch: Int) -> Tensor {
        var generator = SeededGenerator(seed: 5)
        return Tensor(shape: [batch, s.cin, s.height, s.width],
                      values: (0..<(batch * s.cin * s.height * s.width)).map { _ in generator.nextFloat() })
    }

    @Test("oneDNN is on (libdnnl is installed), unless FRAMECUT_ONEDNN=0")
    func enabled() {
        let off = ProcessInfo.processInfo.environment["FRAMECUT_ONEDNN"] == "0"
        #expect(DNNLConvolution.isEnabled == !off)
        let conv = Self.layer(Self.shapes[1], oneDNN: true)
        #expect((conv.dnnl != nil) == !off)
        #expect(Self.layer(Self.shapes[1], oneDNN: false).dnnl == nil)
    }

    @Test("equals the SGEMM / Winograd path and a float64 direct convolution, bias, residual and ReLU fused", arguments: shapes)
    func parity(_ s: Shape) {
        let fast = Self.layer(s, oneDNN: true), plain = Self.layer(s, oneDNN: false)
        let x = Self.input(s, batch: 2)
        let (oh, ow) = fast.outputSize(height: s.height, width: s.width)
        var generator = SeededGenerator(seed: 3)
        let residual = Tensor(shape: [2, s.cout, oh, ow], values: (0..<(2 * s.cout * oh * ow)).map { _ in generator.nextFloat() })
        let a = fast(x, residual: residual), b = plain(x, residual: residual)
        #expect(relativeError(a, b) < 1e-5, "\(s.name): \(relativeError(a, b))")
        let linear = Self.layer(s, oneDNN: true, activation: .identity)(x)
        let reference = Self.direct(x, conv: Self.layer(s, oneDNN: false, activation: .identity))
        #expect(relativeError(linear, reference) < 1e-5, "\(s.name): \(relativeError(linear, reference))")
    }

    @Test("bit-identical for 1, 2 and 3 threads and inside a batch of 3", arguments: shapes)
    func determinism(_ s: Shape) {
        let conv = Self.layer(s, oneDNN: true)
        let batch = Self.input(s, batch: 3)
        let reference = conv(batch.slice(batch: 1..<2))
        for threads in [1, 2, 3] {
            let context = ComputeContext(threads: threads)
            #expect(conv(batch.slice(batch: 1..<2), context: context).values == reference.values, "\(s.name), \(threads) threads")
            #expect(conv(batch, context: context).slice(batch: 1..<2).values == reference.values, "\(s.name), batch 3, \(threads) threads")
        }
    }

    /// Float64 direct convolution with the layer's own (folded) weights and bias.
    static func direct(_ x: Tensor, conv: Conv2d) -> Tensor {
        let n = x.batch, cin = conv.inChannels, cout = conv.outChannels, h = x.height, w = x.width
        let (kh, kw) = conv.kernel, (sh, sw) = conv.stride
        let (pt, pl, _, _) = conv.padding.resolve(height: h, width: w, kernel: conv.kernel, stride: conv.stride)
        let (oh, ow) = conv.outputSize(height: h, width: w)
        var out = [Float](repeating: 0, count: n * cout * oh * ow)
        for b in 0..<n { for o in 0..<cout { for oy in 0..<oh { for ox in 0..<ow {
            var total = Double(conv.bias[o])
            for c in 0..<cin { for i in 0..<kh { for j in 0..<kw {
                let iy = oy * sh - pt + i, ix = ox * sw - pl + j
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                total += Double(x.values[((b * cin + c) * h + iy) * w + ix]) * Double(conv.weight[((o * cin + c) * kh + i) * kw + j])
            } } }
            out[((b * cout + o) * oh + oy) * ow + ox] = Float(total)
        } } } }
        return Tensor(shape: [n, cout, oh, ow], values: out)
    }
}
