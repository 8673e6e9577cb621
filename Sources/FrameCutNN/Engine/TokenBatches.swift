/// A transformer's forward pass over a large batch, run in chunks of whole images.
///
/// The token-wise layers (`Linear.perSequence`) run one SGEMM over every token of the images they
/// get, and OpenBLAS is at full speed from a few hundred rows on; beyond that, larger calls only
/// make each layer's activations larger (DINOv2 at batch 16: 4,112 tokens, 50 MB per MLP
/// activation), which then stream through memory in every pass over them. Chunks of about
/// `rows` tokens keep the activations in cache-sized pieces at the same GEMM speed.
///
/// An image's result never depends on the chunk it runs in (each layer's per-row result is
/// independent of the row count, see `Linear.perSequence`), so chunking changes no bits.
enum TokenBatches {
    /// Tokens per chunk the models aim for (at least one image per chunk).
    static let rows = 1024

    /// Images per chunk for `tokensPerImage` tokens each.
    static func imagesPerChunk(tokensPerImage: Int, rows: Int = rows) -> Int {
        max(1, rows / max(tokensPerImage, 1))
    }

    /// `body` applied to consecutive chunks of `images` (`N x ...`) of `imagesPerChunk` images,
    /// its `n x ...` results concatenated along the batch.
    static func map(_ images: Tensor, imagesPerChunk: Int, _ body: (Tensor) -> Tensor) -> Tensor {
        let n = images.batch
        guard n > imagesPerChunk else { return body(images) }
        var values: [Float] = []
        var shape: [Int] = []
        for start in stride(from: 0, to: n, by: imagesPerChunk) {
            let part = body(images.slice(batch: start..<min(n, start + imagesPerChunk)))
            if shape.isEmpty {
                shape = part.shape
                values.reserveCapacity(part.count / max(part.batch, 1) * n)
            }
            values += part.values
        }
        shape[0] = n
        return Tensor(shape: shape, values: values)
    }
}
