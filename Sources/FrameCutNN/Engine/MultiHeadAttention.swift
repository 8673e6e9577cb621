import CBLAS
import CFrameCutNNKernels
import FrameCutCore
import Foundation

/// Multi-head scaled dot-product attention without mask or dropout: PyTorch
/// `nn.MultiheadAttention` / `F.multi_head_attention_forward` (batch first), timm `Attention`,
/// Hugging Face `CLIPAttention` / `Dinov2SelfAttention`, OpenAI CLIP `AttentionPool2d`.
///
/// For each head `h`: `softmax(Q_h K_hᵀ / sqrt(headDim)) V_h`, the heads concatenated and passed
/// through `output`. The projections run over the tokens (`Linear.perSequence`, the packed
/// AVX-512 product where available); then each (image, head), spread over the threads, is one
/// call of the fused attention kernel (`framecut_nn_attention`) or, for fewer than 6 queries or
/// without AVX-512, two OpenBLAS SGEMMs around `VectorMath.softmax`. Work is cut independently
/// of the thread count, so results are bit-identical for every `ComputeContext.threads`, and an
/// image's result does not depend on its batch.
///
/// Build it from fused in-projection weights (torch `in_proj_weight` `[3D, D]`, timm `qkv`;
/// rows: query, key, value):
/// ```swift
/// let attention = MultiHeadAttention(heads: 12, inProjectionWeight: loader.tensor(p + ".in_proj_weight", [3 * d, d]),
///                                    inProjectionBias: loader.tensor(p + ".in_proj_bias", [3 * d]),
///                                    output: loader.linear(p + ".out_proj", d, d))
/// let y = attention(x, context: context)              // self-attention, x: N x T x D
/// ```
/// or from separate projections (Hugging Face `q_proj`/`k_proj`/`v_proj`, CLIP's attention pool):
/// ```swift
/// let pool = MultiHeadAttention(heads: 32, query: loader.linear("attnpool.q_proj", d, d),
///                               key: loader.linear("attnpool.k_proj", d, d), value: loader.linear("attnpool.v_proj", d, d),
///                               output: loader.linear("attnpool.c_proj", d, outputDim))
/// let y = pool(query: meanToken, keyValue: tokens, context: context)  // N x 1 x D over N x 50 x D -> N x 1 x outputDim
/// ```
/// The output projection may change the width (CLIP RN-50: 2048 -> 1024).
public struct MultiHeadAttention: Sendable {
    /// Width of queries, keys and values (the input of the projections), `D`.
    public let embedDim: Int
    public let heads: Int
    /// `embedDim / heads`.
    public let headDim: Int
    /// The projection after the heads are concatenated (`out_proj`, `c_proj`, `proj`).
    public let output: Linear
    /// `3D x D`, rows for query, key and value (the torch `in_proj_weight` layout); empty when
    /// `inPacked` holds the weight.
    let inWeight: [Float]
    /// `3D`.
    let inBias: [Float]
    /// `inWeightᵀ` packed for the AVX-512 kernel (where available and `D` is a multiple of 32).
    let inPacked: PackedMatrix?

    /// From fused projections: `inProjectionWeight` is `[3 * embedDim, embedDim]` (query, key, value
    /// rows), `inProjectionBias` `[3 * embedDim]` or nil.
    public init(heads: Int, inProjectionWeight: [Float], inProjectionBias: [Float]?, output: Linear) {
        let d = output.inFeatures
        precondition(heads > 0 && d % heads == 0, "MultiHeadAttention: \(d) not divisible by \(heads) heads")
        precondition(inProjectionWeight.count == 3 * d * d, "MultiHeadAttention: in-projection has \(inProjectionWeight.count) values, expected \(3 * d * d)")
        precondition(inProjectionBias.map { $0.count == 3 * d } ?? true, "MultiHeadAttention: in-projection bias count")
        embedDim = d
        self.heads = heads
        headDim = d / heads
        self.output = output.packedForTokens()
        inBias = inProjectionBias ?? [Float](repeating: 0, count: 3 * d)
        // The key and value columns start at D and 2D: whole panels when D is a multiple of 32.
        inPacked = d % PackedMatrix.panelWidth == 0 ? PackedMatrix(transposing: inProjectionWeight, rows: 3 * d, columns: d) : nil
        inWeight = inPacked == nil ? inProjectionWeight : []
    }

    /// From separate query, key and value projections (each `D -> D`).
    public init(heads: Int, query: Linear, key: Linear, value: Linear, output: Linear) {
        let d = query.inFeatures
        for p in [query, key, value] {
            precondition(p.inFeatures == d && p.outFeatures == d, "MultiHeadAttention: projection \(p.inFeatures) -> \(p.outFeatures), expected \(d) -> \(d)")
        }
        self.init(heads: heads, inProjectionWeight: query.weight + key.weight + value.weight,
                  inProjectionBias: query.bias + key.bias + value.bias, output: output)
    }

    /// Self-attention over `x` (`N x T x D`); returns `N x T x output.outFeatures`.
    public func callAsFunction(_ x: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == embedDim, "MultiHeadAttention: input \(x.shape), expected N x T x \(embedDim)")
        let n = x.shape[0], t = x.shape[1]
        let qkv = project(x, rows: 0..<(3 * embedDim), context: context)
        let stride = 3 * embedDim
        let heads = attend(batch: n, queries: t, keys: t, q: qkv, qOffset: 0, qStride: stride,
                           kv: qkv, kOffset: embedDim, vOffset: 2 * embedDim, kvStride: stride, context: context)
        return output.perSequence(heads, context: context)
    }

    /// Attention of `query` (`N x Tq x D`) over `keyValue` (`N x Tk x D`), used as both keys and
    /// values; returns `N x Tq x output.outFeatures`.
    public func callAsFunction(query: Tensor, keyValue: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(query.rank == 3 && query.shape[2] == embedDim, "MultiHeadAttention: query \(query.shape), expected N x Tq x \(embedDim)")
        precondition(keyValue.rank == 3 && keyValue.shape[2] == embedDim && keyValue.shape[0] == query.shape[0],
                     "MultiHeadAttention: keys \(keyValue.shape) for queries \(query.shape)")
        let n = query.shape[0]
        let q = project(query, rows: 0..<embedDim, context: context)
        let kv = project(keyValue, rows: embedDim..<(3 * embedDim), context: context)
        let heads = attend(batch: n, queries: query.shape[1], keys: keyValue.shape[1], q: q, qOffset: 0, qStride: embedDim,
                           kv: kv, kOffset: 0, vOffset: embedDim, kvStride: 2 * embedDim, context: context)
        return output.perSequence(heads, context: context)
    }

    /// `x W[rows]ᵀ + b[rows]` for every token: `(N*T) x rows.count` (see `Linear.perSequence`).
    private func project(_ x: Tensor, rows: Range<Int>, context: ComputeContext) -> [Float] {
        let n = x.shape[0], tokens = x.count / embedDim, width = rows.count
        return context.profiled(.fullyConnected, flops: 2 * Double(tokens * width * embedDim)) {
            project(x, rows: rows, sequences: n, tokens: tokens, context: context)
        }
    }

    private func project(_ x: Tensor, rows: Range<Int>, sequences n: Int, tokens: Int, context: ComputeContext) -> [Float] {
        let width = rows.count
        return [Float](unsafeUninitializedCapacity: tokens * width) { out, initialized in
            x.values.withUnsafeBufferPointer { xs in
                inWeight.withUnsafeBufferPointer { ws in
                    inBias.withUnsafeBufferPointer { bs in
                        if let inPacked {
                            Linear.packedGEMM(x: xs.baseAddress!, rows: tokens, packed: inPacked, firstColumn: rows.lowerBound,
                                              outFeatures: width, bias: bs.baseAddress! + rows.lowerBound, activation: .identity,
                                              out: out.baseAddress!, context: context)
                            return
                        }
                        Linear.sequenceGEMM(x: xs.baseAddress!, sequences: n, rows: tokens / max(n, 1), inFeatures: embedDim,
                                            weight: ws.baseAddress! + rows.lowerBound * embedDim, bias: bs.baseAddress! + rows.lowerBound,
                                            outFeatures: width, activation: .identity, out: out.baseAddress!, context: context)
                    }
                }
            }
            initialized = tokens * width
        }
    }

    /// Queries per call from which the fused AVX-512 attention kernel (`framecut_nn_attention`)
    /// runs; fewer (a class token's or an attention pool's single query) keep OpenBLAS, where
    /// transposing the keys would cost more than the products. Depends on the shape only.
    static let fusedMinimumQueries = Int(FRAMECUT_NN_ATTENTION_ROWS)

    /// Whether `attend` runs the fused kernel for `queries` queries on this CPU.
    static func usesFusedKernel(queries: Int) -> Bool {
        PackedMatrix.isAvailable && queries >= fusedMinimumQueries
    }

    /// The heads' outputs, concatenated: `N x Tq x D`. Queries of image `i` start at row `i * Tq`
    /// of `q` (row stride `qStride`, head `h` at column `qOffset + h * headDim`); keys and values
    /// likewise in `kv`. (image, head) pairs run on the threads; each is one call of the fused
    /// kernel (scores, softmax and values per tile of 6 queries, in cache) or, for fewer queries
    /// or without AVX-512, two SGEMMs around `VectorMath.softmax`. Either way a head's result
    /// depends on its own rows only: bit-identical across thread counts and batches.
    private func attend(batch n: Int, queries tq: Int, keys tk: Int, q: [Float], qOffset: Int, qStride: Int,
                        kv: [Float], kOffset: Int, vOffset: Int, kvStride: Int, context: ComputeContext) -> Tensor {
        let d = embedDim, hd = headDim, heads = heads
        let scale = Float(1 / Double(hd).squareRoot())
        let items = n * heads
        let fused = Self.usesFusedKernel(queries: tq)
        let flops = 4 * Double(items) * Double(tq) * Double(tk) * Double(hd)
        return context.profiled(.attention, flops: flops) {
            Tensor(shape: [n, tq, d]) { out in
                let dst = SendablePointer(out.baseAddress!)
                q.withUnsafeBufferPointer { qs in
                    kv.withUnsafeBufferPointer { kvs in
                        let qp = UncheckedSendable(qs.baseAddress!), kvp = UncheckedSendable(kvs.baseAddress!)
                        context.withSingleThreadedBLAS {
                            let workers = min(context.threads, items)
                            context.forEach(workers) { worker in
                                let scratchCount = fused ? framecut_nn_attention_scratch_count(Int32(tk), Int32(hd)) : tq * tk
                                var scratch = [Float](repeating: 0, count: max(scratchCount, 1))
                                scratch.withUnsafeMutableBufferPointer { s in
                                    let sp = s.baseAddress!
                                    for item in (items * worker / workers)..<(items * (worker + 1) / workers) {
                                        let i = item / heads, h = item % heads
                                        let qBase = qp.value + i * tq * qStride + qOffset + h * hd
                                        let kBase = kvp.value + i * tk * kvStride + kOffset + h * hd
                                        let vBase = kvp.value + i * tk * kvStride + vOffset + h * hd
                                        let oBase = dst.base + i * tq * d + h * hd
                                        if fused, framecut_nn_attention(Int32(tq), Int32(tk), Int32(hd), scale, qBase, qStride, kBase, kvStride,
                                                                        vBase, kvStride, oBase, d, sp) != 0 {
                                            continue
                                        }
                                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(tq), Int32(tk), Int32(hd),
                                                    scale, qBase, Int32(qStride), kBase, Int32(kvStride), 0, sp, Int32(tk))
                                        for r in 0..<tq { VectorMath.softmax(sp + r * tk, count: tk) }
                                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(tq), Int32(hd), Int32(tk),
                                                    1, sp, Int32(tk), vBase, Int32(kvStride), 0, oBase, Int32(d))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
