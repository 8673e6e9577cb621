import FrameCutIO

/// Centre cropping as torchvision (`int(round(d / 2))`, zero padding when the crop is larger
/// than the image) or Hugging Face (`d // 2`) do it.
public enum CenterCrop {
    public static func crop(_ image: RGBImage, width: Int, height: Int, rounding: Preprocessing.CropRounding = .roundHalfEven) -> RGBImage {
        if image.width == width && image.height == height { return image }
        var source = image
        if width > image.width || height > image.height {
            // torchvision pads (left, top) = (d // 2) and (right, bottom) = ((d + 1) // 2) with 0.
            let padLeft = width > image.width ? (width - image.width) / 2 : 0
            let padTop = height > image.height ? (height - image.height) / 2 : 0
            let padRight = width > image.width ? (width - image.width + 1) / 2 : 0
            let padBottom = height > image.height ? (height - image.height + 1) / 2 : 0
            let w = image.width + padLeft + padRight, h = image.height + padTop + padBottom
            var pixels = [UInt8](repeating: 0, count: w * h * 3)
            for y in 0..<image.height {
                let s = y * image.width * 3
                let d = ((y + padTop) * w + padLeft) * 3
                pixels[d..<(d + image.width * 3)] = image.pixels[s..<(s + image.width * 3)]
            }
            source = RGBImage(width: w, height: h, pixels: pixels) ?? RGBImage(width: w, height: h)
            if w == width && h == height { return source }
        }
        let top = offset(source.height - height, rounding)
        let left = offset(source.width - width, rounding)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeMutableBufferPointer { dst in
            source.pixels.withUnsafeBufferPointer { src in
                for y in 0..<height {
                    let s = ((y + top) * source.width + left) * 3
                    let d = y * width * 3
                    for i in 0..<(width * 3) { dst[d + i] = src[s + i] }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels) ?? RGBImage(width: width, height: height)
    }

    /// `int(round(d / 2.0))` (Python rounds halves to even) or `d // 2`.
    static func offset(_ d: Int, _ rounding: Preprocessing.CropRounding) -> Int {
        switch rounding {
        case .floor: return d >= 0 ? d / 2 : -((-d + 1) / 2)
        case .roundHalfEven: return Int((Double(d) / 2).rounded(.toNearestOrEven))
        }
    }
}
