import FrameCutCore

/// The token sequence a vision transformer starts from: non-overlapping patches projected by a
/// convolution (kernel = stride = patch), a class token in front, learned position embeddings
/// added (resampled to the input's patch grid where the model allows it). `N x 3 x H x W` in,
/// `N x (1 + H/p * W/p) x D` out.
public struct PatchEmbedding: Sendable {
    public let patch: Int
    public let width: Int
    /// The side of the stored position grid (7 for ViT-B/32 at 224 px, 37 for DINOv2's 518 px).
    public let side: Int
    public let resampling: PositionEmbedding.Resampling
    let projection: Conv2d
    let classToken: [Float]
    /// `(1 + side * side) x width`: the class token's position first.
    let positions: [Float]
    /// Position embeddings already resampled for the usual grid (`defaultGrid`).
    let defaultGrid: Int
    let defaultPositions: [Float]

    /// - Parameters:
    ///   - projection: the patch convolution (`width x 3 x patch x patch`, stride `patch`).
    ///   - classToken: `width` values.
    ///   - positions: `(1 + side * side) * width` values.
    ///   - defaultGrid: the grid most inputs have (224 / patch); its positions are resampled once.
    public init(projection: Conv2d, classToken: [Float], positions: [Float], side: Int,
                resampling: PositionEmbedding.Resampling, defaultGrid: Int) {
        let d = projection.outChannels
        precondition(classToken.count == d && positions.count == (1 + side * side) * d, "PatchEmbedding: token or position count")
        self.projection = projection
        patch = projection.kernel.height
        width = d
        self.side = side
        self.resampling = resampling
        self.classToken = classToken
        self.positions = positions
        self.defaultGrid = defaultGrid
        defaultPositions = Self.resample(positions, width: d, side: side, grid: defaultGrid, resampling: resampling)
    }

    /// `positions` for a `grid x grid` input (the class position unchanged).
    static func resample(_ positions: [Float], width d: Int, side: Int, grid: Int, resampling: PositionEmbedding.Resampling) -> [Float] {
        if grid == side { return positions }
        let patches = Array(positions[d...])
        let resampled: [Float]
        switch resampling {
        case .none:
            precondition(false, "PatchEmbedding: a \(grid)x\(grid) patch grid for \(side)x\(side) position embeddings (the model takes \(side * 1)-patch-wide inputs only)")
            return positions
        case .bicubicScaleFactor(let offset):
            resampled = PositionEmbedding.bicubic(patches, dim: d, side: side, grid: grid, scaleFactor: (Double(grid) + offset) / Double(side))
        case .bicubicSize:
            resampled = PositionEmbedding.bicubic(patches, dim: d, side: side, grid: grid)
        }
        return Array(positions[0..<d]) + resampled
    }

    public func callAsFunction(_ images: Tensor, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(images.height == images.width && images.height % patch == 0,
                     "PatchEmbedding: input \(images.height)x\(images.width) is not a square multiple of \(patch)")
        let grid = images.height / patch
        let pos = grid == defaultGrid ? defaultPositions : Self.resample(positions, width: width, side: side, grid: grid, resampling: resampling)
        let planes = projection(images, context: context)  // N x D x g x g
        let n = images.batch, t = grid * grid, d = width
        return Tensor(shape: [n, 1 + t, d]) { out in
            planes.values.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    let o = out.baseAddress! + i * (1 + t) * d
                    for c in 0..<d { o[c] = classToken[c] + pos[c] }
                    let s = src.baseAddress! + i * d * t
                    for c in 0..<d {
                        for p in 0..<t { o[(1 + p) * d + c] = s[c * t + p] }
                    }
                    for k in d..<((1 + t) * d) { o[k] += pos[k] }
                }
            }
        }
    }
}
