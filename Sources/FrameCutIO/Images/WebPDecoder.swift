import CWebP

/// WebP (lossy, lossless, with alpha) through libwebp. Decoded as RGBA like PIL's
/// `WebPAnimDecoder` path when the file has alpha (then composited onto white), as RGB otherwise.
enum WebPDecoder {
    static func probe(_ bytes: UnsafeRawBufferPointer) throws(DecodeFailure) -> (width: Int, height: Int) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw .corrupt("no data") }
        var w: Int32 = 0, h: Int32 = 0
        guard WebPGetInfo(base, bytes.count, &w, &h) != 0 else { throw .corrupt("invalid WebP header") }
        return (Int(w), Int(h))
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions) throws(DecodeFailure) -> DecodedImage {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw .corrupt("no data") }
        var features = WebPBitstreamFeatures()
        let status = WebPGetFeaturesInternal(base, bytes.count, &features, WEBP_DECODER_ABI_VERSION)
        guard status == VP8_STATUS_OK else { throw .corrupt("invalid WebP header (status \(status.rawValue))") }
        if features.has_animation != 0 { throw .unsupported("animated WebP") }
        let width = Int(features.width), height = Int(features.height)
        try DecodeFailure.checkSize(width: width, height: height, limit: options.maxPixels)
        let hasAlpha = features.has_alpha != 0
        let channels = hasAlpha ? 4 : 3
        var raw = [UInt8](repeating: 0, count: width * height * channels)
        let stride = width * channels
        let ok = raw.withUnsafeMutableBufferPointer { dst -> Bool in
            guard let out = dst.baseAddress else { return false }
            if hasAlpha {
                return WebPDecodeRGBAInto(base, bytes.count, out, dst.count, Int32(stride)) != nil
            }
            return WebPDecodeRGBInto(base, bytes.count, out, dst.count, Int32(stride)) != nil
        }
        guard ok else { throw .corrupt("libwebp could not decode the bitstream (truncated or damaged)") }
        guard hasAlpha else {
            return DecodedImage(image: RGBImage(width: width, height: height, trusted: raw), format: .webp, sourceMode: "RGB", composited: false)
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        raw.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                PixelConversion.toRGB(src, channels: 4, pixelCount: width * height, into: dst)
            }
        }
        return DecodedImage(image: RGBImage(width: width, height: height, trusted: rgb), format: .webp, sourceMode: "RGBA", composited: true)
    }
}
