/// Resampling of learned 2-D position embeddings to another patch grid.
public enum PositionEmbedding {
    /// How a model resamples its position grid when the input grid differs.
    public enum Resampling: Sendable, Equatable {
        /// The grid must match; no resampling (torchvision ViT, OpenAI CLIP).
        case none
        /// PyTorch `F.interpolate(mode="bicubic", align_corners=False, antialias=False)` with
        /// `scale_factor = (grid + offset) / side`, as the DINOv2 hub's `interpolate_pos_encoding`
        /// calls it (offset 0.1): the output has `grid` cells, sampled at
        /// `(i + 0.5) * side / (grid + offset) - 0.5`.
        case bicubicScaleFactor(offset: Double)
        /// The same bicubic interpolation to an output size (`size=(grid, grid)`; Hugging Face Dinov2).
        case bicubicSize
    }

    /// Bicubic resampling of a `side x side` grid of `dim`-vectors (row-major, `side * side * dim`
    /// values) to `grid x grid`, with PyTorch's kernel (A = -0.75, half-pixel centres, edge
    /// indices clamped). `scaleFactor` nil: the coordinate scale is `side / grid`; otherwise
    /// `1 / scaleFactor` (PyTorch uses a given scale factor as is). Arithmetic in float64.
    public static func bicubic(_ values: [Float], dim: Int, side: Int, grid: Int, scaleFactor: Double? = nil) -> [Float] {
        precondition(values.count == side * side * dim, "PositionEmbedding: \(values.count) values for a \(side)x\(side)x\(dim) grid")
        let scale = scaleFactor.map { 1 / $0 } ?? Double(side) / Double(grid)
        // Per output coordinate: the four source indices (clamped) and their weights.
        let taps: [(index: [Int], weight: [Double])] = (0..<grid).map { o in
            let real = scale * (Double(o) + 0.5) - 0.5
            let base = real.rounded(.down)
            let t = real - base
            let a = -0.75
            func near(_ x: Double) -> Double { ((a + 2) * x - (a + 3)) * x * x + 1 }
            func far(_ x: Double) -> Double { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
            let i = Int(base)
            return (index: (-1...2).map { min(max(i + $0, 0), side - 1) },
                    weight: [far(t + 1), near(t), near(1 - t), far(2 - t)])
        }
        var out = [Float](repeating: 0, count: grid * grid * dim)
        var row = [Double](repeating: 0, count: dim)
        for oy in 0..<grid {
            let ty = taps[oy]
            for ox in 0..<grid {
                let tx = taps[ox]
                for c in 0..<dim { row[c] = 0 }
                for (yi, wy) in zip(ty.index, ty.weight) {
                    for (xi, wx) in zip(tx.index, tx.weight) {
                        let w = wy * wx, src = (yi * side + xi) * dim
                        for c in 0..<dim { row[c] += w * Double(values[src + c]) }
                    }
                }
                let dst = (oy * grid + ox) * dim
                for c in 0..<dim { out[dst + c] = Float(row[c]) }
            }
        }
        return out
    }
}
