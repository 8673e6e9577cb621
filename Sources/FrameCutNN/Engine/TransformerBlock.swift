/// A pre-norm transformer encoder block, the one of ViT, CLIP and DINOv2:
/// `x + ls1 * attention(norm1(x))`, then `x + ls2 * fc2(act(fc1(norm2(x))))`, where the layer
/// scales `ls1`, `ls2` (DINOv2's `LayerScale`) are per-channel and absent elsewhere.
public struct TransformerBlock: Sendable {
    let norm1: LayerNorm
    let attention: MultiHeadAttention
    let layerScale1: [Float]?
    let norm2: LayerNorm
    /// The MLP's first layer, its activation fused (GELU, QuickGELU).
    let fc1: Linear
    let fc2: Linear
    let layerScale2: [Float]?

    public init(norm1: LayerNorm, attention: MultiHeadAttention, layerScale1: [Float]? = nil,
                norm2: LayerNorm, fc1: Linear, fc2: Linear, layerScale2: [Float]? = nil) {
        self.norm1 = norm1
        self.attention = attention
        self.layerScale1 = layerScale1
        self.norm2 = norm2
        self.fc1 = fc1.packedForTokens()
        self.fc2 = fc2.packedForTokens()
        self.layerScale2 = layerScale2
    }

    /// `x`: `N x T x D`.
    public func callAsFunction(_ x: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        let a = attention(norm1(x), context: context)
        let h = Self.residual(x, a, scale: layerScale1)
        let m = fc2.perSequence(fc1.perSequence(norm2(h), context: context), context: context)
        return Self.residual(h, m, scale: layerScale2)
    }

    /// `x + y * scale` with a per-channel scale (or none).
    static func residual(_ x: Tensor, _ y: Tensor, scale: [Float]?) -> Tensor {
        guard let scale else { return TensorOps.add(x, y) }
        let d = scale.count
        var out = x
        out.values.withUnsafeMutableBufferPointer { o in
            y.values.withUnsafeBufferPointer { ys in
                scale.withUnsafeBufferPointer { s in
                    // Unchecked pointers, so the loop vectorises (same operations, same bits).
                    guard let op = o.baseAddress, let yp = ys.baseAddress, let sp = s.baseAddress else { return }
                    for r in 0..<(o.count / d) {
                        let orow = op + r * d, yrow = yp + r * d
                        for c in 0..<d { orow[c] += yrow[c] * sp[c] }
                    }
                }
            }
        }
        return out
    }
}
