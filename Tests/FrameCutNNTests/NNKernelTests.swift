import CFrameCutNNKernels
import Testing
import FrameCutCore
@testable import FrameCutNN

/// The AVX-512 kernels of `CFrameCutNNKernels` against their portable definitions, bit for bit.
@Suite("Engine: AVX-512 kernels equal their portable loops bit for bit")
struct NNKernelTests {
    @Test("depthwise stride 1: taps in row-major order, each product rounded then added",
          .enabled(if: PackedMatrix.isAvailable), arguments: [(7, 7, 7), (14, 14, 7), (56, 56, 7), (20, 9, 3), (5, 33, 5)])
    func depthwise(_ shape: (height: Int, width: Int, kernel: Int)) {
        var g = SeededGenerator(seed: 23)
        let (h, w, k) = shape
        let padW = w + k - 1, padH = h + k - 1
        let pad = (0..<(padH * padW)).map { _ in Float.random(in: -2...2, using: &g) }
        let taps = (0..<(k * k)).map { _ in Float.random(in: -1...1, using: &g) }
        var expected = [Float](repeating: 0, count: h * w)
        for oy in 0..<h {
            for ox in 0..<w {
                var acc: Float = 0
                for i in 0..<k {
                    for j in 0..<k { acc += taps[i * k + j] * pad[(oy + i) * padW + ox + j] }
                }
                expected[oy * w + ox] = acc
            }
        }
        var out = [Float](repeating: .nan, count: h * w)
        let done = framecut_nn_depthwise(pad, Int32(padW), taps, Int32(k), Int32(k), &out, Int32(h), Int32(w))
        #expect(done == 1)
        #expect(out == expected)
    }
}
