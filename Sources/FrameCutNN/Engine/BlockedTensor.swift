/// Image activations in oneDNN's blocked layout `nChw16c`: per image, the channels in blocks of
/// 16 (the last block zero-padded), each block `H x W x 16` with the 16 channels of a pixel
/// adjacent. Networks built of convolutions that all take the blocked path (`Conv2d+Blocked`)
/// carry their activations in this layout from layer to layer, so that only the network's
/// input and output are converted (`init(_:)`, `tensor()`).
struct BlockedTensor: Sendable {
    static let block = 16

    let batch: Int, channels: Int, height: Int, width: Int
    /// `batch * imageCount` values; padded channels hold zeros.
    var values: [Float]

    var channelBlocks: Int { (channels + Self.block - 1) / Self.block }
    var plane: Int { height * width }
    /// Values per image (padded channels included).
    var imageCount: Int { channelBlocks * Self.block * plane }

    /// A tensor whose values `fill` writes; the padded channels of the last block are zeroed
    /// first (layers that fill it write only the real channels' values).
    init(batch: Int, channels: Int, height: Int, width: Int, fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        let blocks = (channels + Self.block - 1) / Self.block
        let perImage = blocks * Self.block * height * width
        let count = batch * perImage
        let padded = channels % Self.block != 0
        values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if padded, let base = buffer.baseAddress {
                let tail = (blocks - 1) * Self.block * height * width
                for n in 0..<batch { (base + n * perImage + tail).update(repeating: 0, count: Self.block * height * width) }
            }
            fill(buffer)
            initialized = count
        }
    }

    /// `x` (NCHW) in the blocked layout.
    init(_ x: Tensor) {
        precondition(x.rank == 4, "BlockedTensor: input \(x.shape) is not NCHW")
        let c = x.channels, plane = x.height * x.width
        self.init(batch: x.batch, channels: c, height: x.height, width: x.width) { out in
            x.values.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = out.baseAddress else { return }
                let blocks = (c + Self.block - 1) / Self.block
                for n in 0..<x.batch {
                    let image = s + n * c * plane, dstImage = d + n * blocks * Self.block * plane
                    for ch in 0..<c {
                        let from = image + ch * plane
                        let to = dstImage + (ch / Self.block) * Self.block * plane + ch % Self.block
                        for p in 0..<plane { to[p * Self.block] = from[p] }
                    }
                }
            }
        }
    }

    /// The values in NCHW (padded channels dropped).
    func tensor() -> Tensor {
        let c = channels, plane = self.plane, perImage = imageCount
        return Tensor(shape: [batch, c, height, width]) { out in
            values.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = out.baseAddress else { return }
                for n in 0..<batch {
                    let image = s + n * perImage, dstImage = d + n * c * plane
                    for ch in 0..<c {
                        let from = image + (ch / Self.block) * Self.block * plane + ch % Self.block
                        let to = dstImage + ch * plane
                        for p in 0..<plane { to[p] = from[p * Self.block] }
                    }
                }
            }
        }
    }
}
