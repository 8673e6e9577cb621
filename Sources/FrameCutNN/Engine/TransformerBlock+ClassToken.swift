extension TransformerBlock {
    /// The block's output for the class token (token 0) alone, `N x 1 x D`, from `x` (`N x T x D`):
    /// the class token's query attends over every token's keys and values, and only its row goes
    /// through the output projection and the MLP. For a last block whose other tokens nothing
    /// reads (ViT, CLIP, DINOv2's class-token embedding) this skips almost all of its
    /// projections and MLP work.
    ///
    /// Equal to `callAsFunction(x)[:, :1]` up to rounding (its products have one row per image,
    /// so OpenBLAS may sum them in another order); like every layer here, an image's result does
    /// not depend on its batch or on the thread count.
    public func classToken(_ x: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(x.rank == 3, "TransformerBlock.classToken: input \(x.shape), expected N x T x D")
        let n = x.shape[0], d = x.shape[2]
        let normed = norm1(x)
        let a = attention(query: normed.classTokens().reshaped([n, 1, d]), keyValue: normed, context: context)
        let h = Self.residual(x.classTokens().reshaped([n, 1, d]), a, scale: layerScale1)
        let m = fc2.perSequence(fc1.perSequence(norm2(h), context: context), context: context)
        return Self.residual(h, m, scale: layerScale2)
    }
}
