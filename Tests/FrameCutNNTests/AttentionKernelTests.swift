import CFrameCutNNKernels
import Foundation
import Testing
import FrameCutCore
@testable import FrameCutNN

/// The fused attention kernel (`framecut_nn_attention`): the AVX-512 kernel against its portable C
/// definition bit for bit, both against a plain float64 attention, and `MultiHeadAttention` on
/// it: bit-identical across thread counts and batches, equal to the OpenBLAS path up to rounding.
@Suite("Engine: fused attention kernel")
struct AttentionKernelTests {
    /// A fused `[q | k | v]` token matrix of `tokens` rows, `heads * hd` columns each.
    static func qkv(tokens: Int, heads: Int, hd: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<(tokens * 3 * heads * hd)).map { _ in Float.random(in: -2...2, using: &g) }
    }

    /// Plain attention in float64 for head `h`: `softmax(q kᵀ / sqrt(hd)) v`, `tq x hd`.
    static func reference(_ m: [Float], tq: Int, tk: Int, heads: Int, hd: Int, head h: Int) -> [Double] {
        let d = heads * hd, ld = 3 * d
        let scale = 1 / Double(hd).squareRoot()
        var out = [Double](repeating: 0, count: tq * hd)
        for i in 0..<tq {
            var s = (0..<tk).map { j in
                (0..<hd).reduce(0.0) { $0 + Double(m[i * ld + h * hd + $1]) * Double(m[j * ld + d + h * hd + $1]) } * scale
            }
            let top = s.max() ?? 0
            s = s.map { Foundation.exp($0 - top) }
            let total = s.reduce(0, +)
            for c in 0..<hd {
                out[i * hd + c] = (0..<tk).reduce(0.0) { $0 + s[$1] * Double(m[$1 * ld + 2 * d + h * hd + c]) } / total
            }
        }
        return out
    }

    /// Runs one head through `kernel` (the AVX-512 or the portable function) on the fused matrix.
    static func head(_ m: [Float], tq: Int, tk: Int, heads: Int, hd: Int, head h: Int, portable: Bool) -> [Float]? {
        let d = heads * hd, ld = 3 * d
        var scratch = [Float](repeating: .nan, count: framecut_nn_attention_scratch_count(Int32(tk), Int32(hd)))
        var out = [Float](repeating: .nan, count: tq * hd)
        let scale = Float(1 / Double(hd).squareRoot())
        let done = m.withUnsafeBufferPointer { p -> Bool in
            let base = p.baseAddress!
            if portable {
                framecut_nn_attention_portable(Int32(tq), Int32(tk), Int32(hd), scale, base + h * hd, ld, base + d + h * hd, ld,
                                               base + 2 * d + h * hd, ld, &out, hd, &scratch)
                return true
            }
            return framecut_nn_attention(Int32(tq), Int32(tk), Int32(hd), scale, base + h * hd, ld, base + d + h * hd, ld,
                                         base + 2 * d + h * hd, ld, &out, hd, &scratch) != 0
        }
        return done ? out : nil
    }

    /// Shapes: ViT-B/32 and DINOv2 (50 and 257 tokens, heads of 64), the test fixtures' heads of
    /// 8, and tails in every direction (queries not a multiple of 6, keys not of 16 or 64,
    /// head widths not of 16 and above 64).
    static let shapes: [(tq: Int, tk: Int, heads: Int, hd: Int)] = [(50, 50, 2, 64), (257, 257, 1, 64), (17, 13, 4, 8), (7, 50, 2, 24),
                                                                     (6, 65, 1, 80), (13, 300, 1, 16), (1, 5, 2, 8)]

    @Test("AVX-512 kernel equals the portable definition bit for bit", .enabled(if: PackedMatrix.isAvailable), arguments: shapes)
    func kernelEqualsPortable(_ shape: (tq: Int, tk: Int, heads: Int, hd: Int)) throws {
        let (tq, tk, heads, hd) = shape
        let m = Self.qkv(tokens: max(tq, tk), heads: heads, hd: hd, seed: 31)
        for h in 0..<heads {
            let fast = try #require(Self.head(m, tq: tq, tk: tk, heads: heads, hd: hd, head: h, portable: false))
            let plain = try #require(Self.head(m, tq: tq, tk: tk, heads: heads, hd: hd, head: h, portable: true))
            #expect(fast == plain, "\(shape), head \(h)")
        }
    }

    @Test("the definition is attention: within 1e-5 of float64", arguments: shapes)
    func portableMatchesReference(_ shape: (tq: Int, tk: Int, heads: Int, hd: Int)) throws {
        let (tq, tk, heads, hd) = shape
        let m = Self.qkv(tokens: max(tq, tk), heads: heads, hd: hd, seed: 37)
        for h in 0..<heads {
            let plain = try #require(Self.head(m, tq: tq, tk: tk, heads: heads, hd: hd, head: h, portable: true))
            let exact = Self.reference(m, tq: tq, tk: tk, heads: heads, hd: hd, head: h)
            let worst = zip(plain, exact).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? .infinity
            #expect(worst < 1e-5, "\(shape), head \(h): \(worst)")
        }
    }

    @Test("softmax: within 4e-7 relative of float64 for scores over [-87, 0]")
    func softmaxExp() throws {
        // One key row of scores whose softmax we can read back: with v = one-hot rows, out = p.
        let tk = 64, hd = 64
        var q = [Float](repeating: 0, count: hd), k = [Float](repeating: 0, count: tk * hd), v = [Float](repeating: 0, count: tk * hd)
        q[0] = 1
        for j in 0..<tk {
            k[j * hd] = -87 * Float(j) / Float(tk - 1)
            v[j * hd + j] = 1
        }
        var out = [Float](repeating: .nan, count: hd)
        var scratch = [Float](repeating: 0, count: framecut_nn_attention_scratch_count(Int32(tk), Int32(hd)))
        framecut_nn_attention_portable(1, Int32(tk), Int32(hd), 1, q, hd, k, hd, v, hd, &out, hd, &scratch)
        let expTerms = (0..<tk).map { Foundation.exp(Double(k[$0 * hd])) }
        let total = expTerms.reduce(0, +)
        for j in 0..<tk {
            let expected = expTerms[j] / total
            #expect(abs(Double(out[j]) - expected) <= 4e-7 * expected + 1e-44, "key \(j): \(out[j]) vs \(expected)")
        }
    }

    /// A self-attention layer of width 64 (heads of 16) over 23 tokens: fused where available.
    static func layer() -> MultiHeadAttention {
        var g = SeededGenerator(seed: 41)
        let d = 64
        func values(_ n: Int) -> [Float] { (0..<n).map { _ in Float.random(in: -0.3...0.3, using: &g) } }
        return MultiHeadAttention(heads: 4, inProjectionWeight: values(3 * d * d), inProjectionBias: values(3 * d),
                                  output: Linear(inFeatures: d, outFeatures: d, weight: values(d * d), bias: values(d)))
    }

    @Test("MultiHeadAttention: bits independent of threads (1-4) and batch; fused equals OpenBLAS to rounding")
    func layerBitsAndValues() {
        let attention = Self.layer()
        var g = SeededGenerator(seed: 43)
        let n = 5, t = 23, d = 64
        let x = Tensor(shape: [n, t, d], values: (0..<(n * t * d)).map { _ in Float.random(in: -2...2, using: &g) })
        let first = attention(x, context: ComputeContext(threads: 1))
        for threads in [2, 3, 4] { #expect(attention(x, context: ComputeContext(threads: threads)) == first, "\(threads) threads") }
        for i in 0..<n { #expect(attention(x.slice(batch: i..<(i + 1))) == first.slice(batch: i..<(i + 1)), "image \(i)") }
        // The same attention with the queries taken one at a time: below the fused kernel's
        // minimum, so OpenBLAS and `VectorMath.softmax`; equal up to rounding.
        #expect(MultiHeadAttention.usesFusedKernel(queries: t) == PackedMatrix.isAvailable)
        #expect(!MultiHeadAttention.usesFusedKernel(queries: 1))
        /// Token `i` of every image, `n x 1 x d`.
        func token(_ tensor: Tensor, _ i: Int) -> Tensor {
            var values: [Float] = []
            for b in 0..<n {
                let start: Int = (b * t + i) * d
                values += tensor.values[start..<(start + d)]
            }
            return Tensor(shape: [n, 1, d], values: values)
        }
        for i in [0, t / 2, t - 1] {
            let query = token(x, i)
            let single = attention(query: query, keyValue: x)
            let row = token(first, i)
            #expect(relativeError(single, row) < 1e-5, "query \(i): \(relativeError(single, row))")
        }
    }
}
