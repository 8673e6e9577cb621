import Foundation
import Testing
import FrameCutCore
import FrameCutIO
@testable import FrameCutNN

/// The speed paths of the transformers (issue 10): chunked batches, the class-token-only last
/// block, the vectorisable `exp`. Each must leave every embedding bit-identical across batches
/// and thread counts, and equal to the full computation up to rounding.
@Suite("Engine: transformer speed paths keep results batch- and thread-independent")
struct TransformerSpeedPathTests {
    static func random(_ count: Int, _ range: ClosedRange<Float>, _ generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float.random(in: range, using: &generator) }
    }

    /// A pre-norm block of width 64 (4 heads, MLP 128) with layer scale, seeded random weights.
    static func block(layerScale: Bool) -> TransformerBlock {
        var g = SeededGenerator(seed: 11)
        let d = 64, mlp = 128
        func norm() -> LayerNorm { LayerNorm(weight: random(d, 0.5...1.5, &g), bias: random(d, -0.1...0.1, &g), eps: 1e-6) }
        let attention = MultiHeadAttention(heads: 4, inProjectionWeight: random(3 * d * d, -0.2...0.2, &g), inProjectionBias: random(3 * d, -0.1...0.1, &g),
                                           output: Linear(inFeatures: d, outFeatures: d, weight: random(d * d, -0.2...0.2, &g), bias: random(d, -0.1...0.1, &g)))
        return TransformerBlock(norm1: norm(), attention: attention, layerScale1: layerScale ? random(d, 0.1...1, &g) : nil, norm2: norm(),
                                fc1: Linear(inFeatures: d, outFeatures: mlp, weight: random(d * mlp, -0.2...0.2, &g), bias: random(mlp, -0.1...0.1, &g), activation: .gelu),
                                fc2: Linear(inFeatures: mlp, outFeatures: d, weight: random(d * mlp, -0.2...0.2, &g), bias: random(d, -0.1...0.1, &g)),
                                layerScale2: layerScale ? random(d, 0.1...1, &g) : nil)
    }

    @Test("class-token-only last block equals the full block's class token; batch- and thread-independent", arguments: [false, true])
    func classTokenBlock(_ layerScale: Bool) {
        let block = Self.block(layerScale: layerScale)
        var g = SeededGenerator(seed: 3)
        let n = 3, t = 10, d = 64
        let x = Tensor(shape: [n, t, d], values: Self.random(n * t * d, -2...2, &g))
        let full = block(x).classTokens()
        let first = block.classToken(x, context: ComputeContext(threads: 1))
        #expect(first.shape == [n, 1, d])
        #expect(relativeError(first.reshaped([n, d]), full) < 1e-5, "\(relativeError(first.reshaped([n, d]), full))")
        for threads in [2, 3] { #expect(block.classToken(x, context: ComputeContext(threads: threads)) == first) }
        for i in 0..<n { #expect(block.classToken(x.slice(batch: i..<(i + 1))) == first.slice(batch: i..<(i + 1))) }
    }

    /// Full-size shapes over as many images as a chunk holds (`TokenBatches.rows` tokens): every
    /// image's rows equal the image run alone, on 1 to 4 threads (1 to 4 column parts on the
    /// batched path). Rows of 1 (the class-token block's projections and MLP) go one SGEMM per
    /// image in fixed parts.
    @Test("per-sequence linear over a whole chunk of images", arguments: [(50, 768, 2304, 20), (257, 768, 3072, 4), (50, 3072, 768, 20), (1, 768, 3072, 16)])
    func chunkSizedBatches(_ shape: (tokens: Int, inFeatures: Int, outFeatures: Int, images: Int)) {
        var g = SeededGenerator(seed: 5)
        let (t, k, m, n) = shape
        let plain = Linear(inFeatures: k, outFeatures: m, weight: Self.random(k * m, -0.1...0.1, &g), bias: Self.random(m, -0.1...0.1, &g),
                           activation: .gelu)
        let x = Tensor(shape: [n, t, k], values: Self.random(n * t * k, -2...2, &g))
        let reference = plain.perSequence(x)
        // The OpenBLAS path and the packed AVX-512 path (where the CPU has it), each on its own.
        for layer in [plain, plain.packedForTokens()] {
            let single = layer.perSequence(x, context: ComputeContext(threads: 1))
            #expect(relativeError(single, reference) < 1e-5, "\(relativeError(single, reference))")
            for threads in [1, 2, 3, 4] {
                let all = threads == 1 ? single : layer.perSequence(x, context: ComputeContext(threads: threads))
                #expect(all == single, "\(threads) threads, \(shape)")
                for i in [0, n / 2, n - 1] {
                    #expect(layer.perSequence(x.slice(batch: i..<(i + 1))) == all.slice(batch: i..<(i + 1)), "image \(i) of \(shape)")
                }
            }
        }
    }

    /// The packed kernel's contract: every output is `fma` chained over `k` in order from zero,
    /// then the biases added, whatever the row count, the panel range or a column tail.
    @Test("packed product: the fused multiply-add chain bit for bit, any rows, panels and tails",
          .enabled(if: PackedMatrix.isAvailable), arguments: [(1, 32, 7), (5, 40, 768), (13, 97, 33), (50, 256, 1100), (61, 64, 3072), (121, 40, 100)])
    func packedProduct(_ shape: (m: Int, n: Int, k: Int)) throws {
        var g = SeededGenerator(seed: 17)
        let (m, n, k) = shape
        let a = Self.random(m * k, -2...2, &g), w = Self.random(n * k, -1...1, &g)
        let columnBias = Self.random(n, -1...1, &g), rowBias = Self.random(m, -1...1, &g)
        let packed = try #require(PackedMatrix(transposing: w, rows: n, columns: k))
        #expect(packed.transposed() == w)
        var expected = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var acc: Float = 0
                for kk in 0..<k { acc.addProduct(a[i * k + kk], w[j * k + kk]) }
                expected[i * n + j] = (acc + columnBias[j]) + rowBias[i]
            }
        }
        let panels = packed.panels, width = PackedMatrix.panelWidth
        // All panels in one call, then the rows split in two and the panels cut in two runs.
        var whole = [Float](repeating: .nan, count: m * n), pieces = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { ap in
            columnBias.withUnsafeBufferPointer { cb in
                rowBias.withUnsafeBufferPointer { rb in
                    whole.withUnsafeMutableBufferPointer { c in
                        packed.product(rows: m, a: ap.baseAddress!, lda: k, panels: 0..<panels, columnBias: cb.baseAddress!,
                                       rowBias: rb.baseAddress!, c: c.baseAddress!, ldc: n)
                    }
                    pieces.withUnsafeMutableBufferPointer { c in
                        let half = m / 2, cut = panels / 2
                        for (rows, first) in [(0..<half, 0), (half..<m, half)] {
                            for run in [0..<cut, cut..<panels] {
                                packed.product(rows: rows.count, a: ap.baseAddress! + first * k, lda: k, panels: run,
                                               columnBias: cb.baseAddress! + run.lowerBound * width, rowBias: rb.baseAddress! + first,
                                               c: c.baseAddress! + first * n + run.lowerBound * width, ldc: n)
                            }
                        }
                    }
                }
            }
        }
        #expect(whole == expected)
        #expect(pieces == expected)
        // The portable fallback (taken should the kernel's scratch allocation fail) gives the same bits.
        var portable = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { ap in
            columnBias.withUnsafeBufferPointer { cb in
                rowBias.withUnsafeBufferPointer { rb in
                    portable.withUnsafeMutableBufferPointer { c in
                        packed.portableProduct(rows: m, a: ap.baseAddress!, lda: k, panels: 0..<panels, columnBias: cb.baseAddress!,
                                               rowBias: rb.baseAddress!, c: c.baseAddress!, ldc: n)
                    }
                }
            }
        }
        #expect(portable == expected)
    }

    @Test("PackedMatrix refuses sizes that do not match instead of trapping")
    func packedMatrixValidates() {
        #expect(PackedMatrix(transposing: [1, 2, 3], rows: 2, columns: 2) == nil)
        #expect(PackedMatrix(transposing: [], rows: 0, columns: 4) == nil)
        #expect(PackedMatrix(transposing: [1, 2], rows: -1, columns: -2) == nil)
    }

    @Test("a packed Linear keeps no unpacked copy, gives its weight back exactly and computes the same",
          .enabled(if: PackedMatrix.isAvailable))
    func packedLinearDropsWeight() {
        var g = SeededGenerator(seed: 19)
        let k = 40, m = 70
        let w = Self.random(k * m, -1...1, &g)
        let plain = Linear(inFeatures: k, outFeatures: m, weight: w, bias: Self.random(m, -1...1, &g), activation: .gelu)
        let packed = plain.packedForTokens()
        #expect(packed.packed != nil && packed.plainWeight.isEmpty && packed.weight == w)
        let x = Tensor(shape: [3, 5, k], values: Self.random(3 * 5 * k, -2...2, &g))
        #expect(packed(x) == packed.perSequence(x))
        #expect(allClose(packed(x), plain(x), rtol: 1e-5, atol: 1e-5))
    }

    @Test("TokenBatches: chunk sizes and concatenation in order")
    func tokenBatches() {
        #expect(TokenBatches.imagesPerChunk(tokensPerImage: 50) == 20)
        #expect(TokenBatches.imagesPerChunk(tokensPerImage: 257) == 3)
        #expect(TokenBatches.imagesPerChunk(tokensPerImage: 5000) == 1)
        let x = Tensor(shape: [7, 2, 3], values: (0..<42).map(Float.init))
        var sizes: [Int] = []
        let y = TokenBatches.map(x, imagesPerChunk: 3) { chunk in
            sizes.append(chunk.batch)
            return chunk.classTokens()
        }
        #expect(sizes == [3, 3, 1])
        #expect(y == x.classTokens())
    }

    @Test("ViT (width 32) over more images than a chunk: every embedding equals the image embedded alone")
    func chunkedModel() throws {
        let model = try TransformerFixtures.load("vit_b32", "weights_timm.safetensors") { loader, weights in
            var configuration = TransformerFixtures.vit
            configuration.naming = VisionTransformer.naming(of: weights)
            return VisionTransformer(configuration: configuration, loader: loader)
        }
        var g = SeededGenerator(seed: 9)
        let side = TransformerFixtures.vit.imageSize, grid = side / TransformerFixtures.vit.patch
        let n = TokenBatches.imagesPerChunk(tokensPerImage: 1 + grid * grid) + 2
        let images = Tensor(shape: [n, 3, side, side], values: Self.random(n * 3 * side * side, -2...2, &g))
        let all = model.embedBatch(images, context: ComputeContext(threads: 1))
        #expect(all.shape == [n, 32])
        #expect(model.embedBatch(images, context: ComputeContext(threads: 2)) == all)
        for i in [0, n - 3, n - 1] { #expect(model.embed(images.slice(batch: i..<(i + 1)), context: ComputeContext()) == all.slice(batch: i..<(i + 1))) }
    }

    @Test("exp: within 2 ulp of libm over the clamped range, exact floor at integer boundaries")
    func vectorExp() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            for probe in [x, x.nextUp, x.nextDown] {
                let e = VectorMath.exp(probe), r = Foundation.exp(probe)
                worst = max(worst, abs(e - r) / r)
            }
            x += 0.0137
        }
        for k in -40...40 {
            let boundary = (Float(k) - 0.5) / 1.44269504088896341
            for probe in [boundary, boundary.nextUp, boundary.nextDown] {
                let e = VectorMath.exp(probe), r = Foundation.exp(probe)
                worst = max(worst, abs(e - r) / r)
            }
        }
        #expect(worst < 2.5e-7, "\(worst)")
    }
}
