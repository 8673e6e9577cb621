import FrameCutCore

/// OpenAI CLIP's attention pooling head of the modified ResNets (open_clip 2.24
/// `open_clip.modified_resnet.AttentionPool2d`; timm 1.0 `timm.layers.AttentionPool2d` with
/// `qkv_separate=True`, `pool_type="token"`): the `C x H x W` feature map becomes `HW + 1` tokens
/// (the spatial mean first, then the positions in row-major order), a learned position embedding
/// `[HW + 1, C]` is added, and multi-head attention (separate Q/K/V projections, scale
/// `1/sqrt(C / heads)`) of the mean token over all `HW + 1` tokens, projected by `c_proj`, is the
/// output. The references attend with every token as a query and keep the first output row;
/// attention rows are independent, so only the mean token's query is computed here.
public struct AttentionPool2d: Sendable {
    /// Width of the feature map (`C`).
    public let embedDim: Int
    /// `H * W + 1` positions the embedding was trained for (50 for a 7x7 map).
    public let tokens: Int
    public var outputDim: Int { attention.output.outFeatures }
    /// `tokens x embedDim`.
    let positionalEmbedding: [Float]
    let attention: MultiHeadAttention

    public init(positionalEmbedding: [Float], tokens: Int, attention: MultiHeadAttention) {
        precondition(positionalEmbedding.count == tokens * attention.embedDim,
                     "AttentionPool2d: \(positionalEmbedding.count) position values for \(tokens) x \(attention.embedDim)")
        embedDim = attention.embedDim
        self.tokens = tokens
        self.positionalEmbedding = positionalEmbedding
        self.attention = attention
    }

    /// `N x C x H x W` (with `H * W + 1 == tokens`) to `N x outputDim`.
    public func callAsFunction(_ x: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        let plane = x.height * x.width, c = embedDim, n = x.batch
        precondition(x.rank == 4 && x.channels == c && plane + 1 == tokens,
                     "AttentionPool2d: input \(x.shape), expected N x \(c) x H x W with H*W = \(tokens - 1) (224 px images)")
        var query = [Float](repeating: 0, count: n * c)
        let sequence = Tensor(shape: [n, tokens, c]) { out in
            x.values.withUnsafeBufferPointer { input in
                positionalEmbedding.withUnsafeBufferPointer { pos in
                    for i in 0..<n {
                        let src = input.baseAddress! + i * c * plane, dst = out.baseAddress! + i * tokens * c
                        for ch in 0..<c {
                            let row = src + ch * plane
                            var total = 0.0
                            for p in 0..<plane { total += Double(row[p]) }
                            let mean = Float(total / Double(plane))
                            dst[ch] = mean + pos[ch]
                            query[i * c + ch] = mean + pos[ch]
                            // Transpose C x HW to HW x C, the position embedding added.
                            for p in 0..<plane { dst[(p + 1) * c + ch] = row[p] + pos[(p + 1) * c + ch] }
                        }
                    }
                }
            }
        }
        let pooled = attention(query: Tensor(shape: [n, 1, c], values: query), keyValue: sequence, context: context)
        return pooled.reshaped([n, outputDim])
    }
}
