import FrameCutIO

/// How a model wants its input image: resize, centre crop, scale to [0, 1], normalise.
/// One value per model family, equal to the reference implementation's configuration;
/// `apply` reproduces torchvision / Hugging Face / timm on PIL images (see `PILResampler`).
public struct Preprocessing: Codable, Sendable, Equatable {
    /// The resize step.
    public enum Resize: Codable, Sendable, Equatable {
        /// Shorter side to `n`, longer side `Int(n * long / short)` (torchvision `Resize(n)`,
        /// HF `shortest_edge`), keeping the aspect ratio.
        case shorterSide(Int)
        /// Both sides to fixed values.
        case exact(width: Int, height: Int)
    }

    /// How the crop offset `(size - crop) / 2` is rounded.
    public enum CropRounding: String, Codable, Sendable {
        /// torchvision `center_crop`: `int(round(d / 2))`, halves to even.
        case roundHalfEven
        /// Hugging Face `center_crop`: `d // 2`.
        case floor
    }

    /// Order of the colour planes in the tensor.
    public enum ChannelOrder: String, Codable, Sendable { case rgb, bgr }

    public var name: String
    public var resize: Resize
    public var filter: ResampleFilter
    public var cropWidth: Int
    public var cropHeight: Int
    /// `crop / resize` as the reference configuration states it (timm/HF `crop_pct`), for the record.
    public var cropFraction: Double?
    public var cropRounding: CropRounding
    /// Per channel, on the [0, 1] scale: `x = (v / 255 - mean) / std`.
    public var mean: [Float]
    public var std: [Float]
    public var channelOrder: ChannelOrder

    public init(name: String, resize: Resize, filter: ResampleFilter, cropWidth: Int, cropHeight: Int,
                cropFraction: Double? = nil, cropRounding: CropRounding = .roundHalfEven,
                mean: [Float], std: [Float], channelOrder: ChannelOrder = .rgb) {
        self.name = name
        self.resize = resize
        self.filter = filter
        self.cropWidth = cropWidth
        self.cropHeight = cropHeight
        self.cropFraction = cropFraction
        self.cropRounding = cropRounding
        self.mean = mean
        self.std = std
        self.channelOrder = channelOrder
    }

    /// The size the resize step produces for an input of `width` x `height`.
    public func resizedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        switch resize {
        case .exact(let w, let h):
            return (w, h)
        case .shorterSide(let n):
            guard width > 0, height > 0 else { return (0, 0) }
            let short = min(width, height), long = max(width, height)
            // Python: int(n * long / short), true division then truncation.
            let newLong = Int(Double(n * long) / Double(short))
            return width <= height ? (n, newLong) : (newLong, n)
        }
    }

    /// Resize then centre crop (zero padding where the crop is larger, as torchvision pads):
    /// the 8-bit image the reference turns into a tensor.
    public func resizedAndCropped(_ image: RGBImage) -> RGBImage {
        let size = resizedSize(width: image.width, height: image.height)
        if cropWidth <= size.width && cropHeight <= size.height {
            // Only the crop is computed; each pixel equals the full resize's.
            let left = CenterCrop.offset(size.width - cropWidth, cropRounding)
            let top = CenterCrop.offset(size.height - cropHeight, cropRounding)
            if size.width == image.width && size.height == image.height {
                return CenterCrop.crop(image, width: cropWidth, height: cropHeight, rounding: cropRounding)
            }
            return PILResampler.resize(image, width: size.width, height: size.height, filter: filter,
                                       region: (left, top, cropWidth, cropHeight))
        }
        let resized = PILResampler.resize(image, width: size.width, height: size.height, filter: filter)
        return CenterCrop.crop(resized, width: cropWidth, height: cropHeight, rounding: cropRounding)
    }

    /// The normalised `3 x cropHeight x cropWidth` tensor for `image`.
    public func apply(_ image: RGBImage) -> ImageTensor {
        var values = [Float](repeating: 0, count: 3 * cropWidth * cropHeight)
        values.withUnsafeMutableBufferPointer { apply(image, into: $0) }
        return ImageTensor(trusted: 3, height: cropHeight, width: cropWidth, values: values)
    }

    /// Writes the tensor into `output` (`3 * cropHeight * cropWidth` floats), e.g. a batch slot.
    public func apply(_ image: RGBImage, into output: UnsafeMutableBufferPointer<Float>) {
        normalize(resizedAndCropped(image), into: output)
    }

    /// `(v / 255 - mean) / std` per channel, interleaved RGB to planar in `channelOrder`.
    public func normalize(_ crop: RGBImage, into output: UnsafeMutableBufferPointer<Float>) {
        let plane = crop.width * crop.height
        guard output.count >= 3 * plane, mean.count == 3, std.count == 3 else { return }
        crop.pixels.withUnsafeBufferPointer { src in
            for c in 0..<3 {
                let sourceChannel = channelOrder == .rgb ? c : 2 - c
                // Tables: ToTensor divides in float32, Normalize subtracts and divides in float32.
                var table = [Float](repeating: 0, count: 256)
                for v in 0..<256 { table[v] = (Float(v) / 255 - mean[sourceChannel]) / std[sourceChannel] }
                let base = c * plane
                table.withUnsafeBufferPointer { t in
                    for i in 0..<plane { output[base + i] = t[Int(src[3 * i + sourceChannel])] }
                }
            }
        }
    }
}
