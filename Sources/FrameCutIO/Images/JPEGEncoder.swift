import CTurboJPEG

/// Encodes RGB images as baseline JPEG through TurboJPEG (4:2:0 chroma subsampling).
/// Used for thumbnails and to make benchmark inputs.
public enum JPEGEncoder {
    /// The JPEG file bytes of `image` at `quality` (1...100).
    public static func encode(_ image: RGBImage, quality: Int = 90) throws(ImageIOError) -> [UInt8] {
        guard let handle = tjInitCompress() else { throw .unsupported(path: "<memory>", format: .jpeg, reason: "cannot create a TurboJPEG compressor") }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let rc = image.pixels.withUnsafeBufferPointer { src in
            tjCompress2(handle, src.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue),
                        &buffer, &size, Int32(TJSAMP_420.rawValue), Int32(max(1, min(100, quality))), 0)
        }
        defer { tjFree(buffer) }
        guard rc == 0, let buffer else {
            let reason = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown TurboJPEG error"
            throw .unsupported(path: "<memory>", format: .jpeg, reason: reason)
        }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }
}
