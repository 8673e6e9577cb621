import Foundation
import Testing
import FrameCutCore
import FrameCutIO
@testable import FrameCutNN

/// Transformer operations against PyTorch (scripts/reference/transformer_fixtures.py ops -> transformer_ops.npz).
enum TransformerOpsFixtures {
    static let archive: NPZArchive? = try? NPZArchive(contentsOf: NNFixtures.root.appendingPathComponent("transformer_ops.npz"))

    static func tensor(_ name: String) throws -> Tensor {
        let archive = try #require(archive, "transformer_ops.npz missing")
        let array = try archive.array(named: name)
        return Tensor(shape: array.shape, values: array.floatValues())
    }

    static func floats(_ name: String) throws -> [Float] { try tensor(name).values }
}

@Suite("Engine: attention and transformer operations against PyTorch")
struct TransformerOpsTests {
    @Test("self-attention with fused in_proj (nn.MultiheadAttention), bit-identical for 1-3 threads")
    func selfAttention() throws {
        let f = TransformerOpsFixtures.self
        let x = try f.tensor("mha_self.x")
        let d = 16
        let attention = MultiHeadAttention(heads: 4, inProjectionWeight: try f.floats("mha_self.in_proj_weight"),
                                           inProjectionBias: try f.floats("mha_self.in_proj_bias"),
                                           output: Linear(inFeatures: d, outFeatures: d, weight: try f.floats("mha_self.out_proj_weight"),
                                                          bias: try f.floats("mha_self.out_proj_bias")))
        let reference = try f.tensor("mha_self.y")
        let first = attention(x, context: ComputeContext(threads: 1))
        #expect(first.shape == [2, 7, 16])
        #expect(relativeError(first, reference) < 1e-5, "\(relativeError(first, reference))")
        for threads in [2, 3] { #expect(attention(x, context: ComputeContext(threads: threads)) == first) }
        // Each image attends within itself only.
        let alone = attention(x.slice(batch: 1..<2))
        #expect(alone == first.slice(batch: 1..<2))
    }

    @Test("attention pooling: separate q/k/v, 1 query over 6 keys, output 16 -> 8 (CLIP AttentionPool2d)")
    func attentionPool() throws {
        let f = TransformerOpsFixtures.self
        let d = 16
        func linear(_ k: String, out: Int = 16) throws -> Linear {
            Linear(inFeatures: d, outFeatures: out, weight: try f.floats("mha_pool.\(k)_weight"), bias: try f.floats("mha_pool.\(k)_bias"))
        }
        let pool = MultiHeadAttention(heads: 2, query: try linear("q"), key: try linear("k"), value: try linear("v"),
                                      output: try linear("c", out: 8))
        let y = pool(query: try f.tensor("mha_pool.query"), keyValue: try f.tensor("mha_pool.kv"), context: ComputeContext(threads: 2))
        #expect(y.shape == [2, 1, 8])
        #expect(relativeError(y, try f.tensor("mha_pool.y")) < 1e-5)
    }

    @Test("QuickGELU")
    func quickGelu() throws {
        let y = Activation.quickGelu(try TransformerOpsFixtures.tensor("quick_gelu.x"))
        #expect(relativeError(y, try TransformerOpsFixtures.tensor("quick_gelu.y")) < 1e-6)
    }

    @Test("bicubic position-embedding resampling: DINOv2 hub scale factor (offset 0.1) and output size",
          arguments: [("pos_37_16", 37, 16, 3), ("pos_7_4", 7, 4, 2), ("pos_5_9", 5, 9, 2)])
    func resample(_ c: (name: String, side: Int, grid: Int, dim: Int)) throws {
        let f = TransformerOpsFixtures.self
        let x = try f.floats(c.name + ".x")
        let hub = PositionEmbedding.bicubic(x, dim: c.dim, side: c.side, grid: c.grid, scaleFactor: (Double(c.grid) + 0.1) / Double(c.side))
        let size = PositionEmbedding.bicubic(x, dim: c.dim, side: c.side, grid: c.grid)
        let shape = [1, c.grid * c.grid, c.dim]
        #expect(relativeError(Tensor(shape: shape, values: hub), try f.tensor(c.name + ".hub")) < 1e-6)
        #expect(relativeError(Tensor(shape: shape, values: size), try f.tensor(c.name + ".size")) < 1e-6)
        // The two rules differ (the offset moves every sample), unless the grid is unchanged.
        #expect(hub != size)
    }
}

@Suite("Engine: token-wise linear layers do not depend on the batch")
struct PerSequenceLinearTests {
    /// Full-size ViT-B/32 and DINOv2 shapes (one SGEMM over all images) and small ones (one per
    /// image): every image's rows are bit-identical to the image run alone, on 1 and 2 threads.
    @Test("per-sequence linear: batched and per-image SGEMM paths", arguments: [(50, 768, 2304), (257, 768, 768), (50, 3072, 768), (17, 32, 96), (1, 768, 512)])
    func batchIndependent(_ shape: (tokens: Int, inFeatures: Int, outFeatures: Int)) {
        var generator = SeededGenerator(seed: 7)
        let (t, k, m) = shape
        let weight = (0..<(k * m)).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
        let bias = (0..<m).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
        let layer = Linear(inFeatures: k, outFeatures: m, weight: weight, bias: bias, activation: .gelu)
        let x = Tensor(shape: [3, t, k], values: (0..<(3 * t * k)).map { _ in Float.random(in: -2...2, using: &generator) })
        for threads in [1, 2] {
            let all = layer.perSequence(x, context: ComputeContext(threads: threads))
            for i in 0..<3 {
                #expect(layer.perSequence(x.slice(batch: i..<(i + 1))) == all.slice(batch: i..<(i + 1)), "image \(i) of \(shape)")
            }
        }
    }
}
