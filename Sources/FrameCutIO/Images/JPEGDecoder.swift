import CTurboJPEG

/// JPEG through libjpeg-turbo's TurboJPEG API with PIL's settings (accurate integer DCT, fancy
/// upsampling), so the RGB bytes equal PIL's: baseline, progressive, grayscale, CMYK and YCCK
/// (Adobe inverted polarity, converted with PIL's `cmyk2rgb`).
enum JPEGDecoder {
    static func probe(_ bytes: UnsafeRawBufferPointer) throws(DecodeFailure) -> (width: Int, height: Int, colorspace: Int32) {
        guard let handle = tjInitDecompress() else { throw .corrupt("cannot create a TurboJPEG decompressor") }
        defer { tjDestroy(handle) }
        return try header(handle, bytes)
    }

    private static func header(_ handle: tjhandle, _ bytes: UnsafeRawBufferPointer) throws(DecodeFailure) -> (width: Int, height: Int, colorspace: Int32) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw .corrupt("no data") }
        var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, cs: Int32 = 0
        if tjDecompressHeader3(handle, base, UInt(bytes.count), &w, &h, &subsamp, &cs) != 0 {
            throw .corrupt(message(handle))
        }
        guard w > 0, h > 0 else { throw .corrupt("no frame header (file truncated or damaged)") }
        return (Int(w), Int(h), cs)
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions) throws(DecodeFailure) -> DecodedImage {
        guard let handle = tjInitDecompress() else { throw .corrupt("cannot create a TurboJPEG decompressor") }
        defer { tjDestroy(handle) }
        let (width, height, cs) = try header(handle, bytes)
        try DecodeFailure.checkSize(width: width, height: height, limit: options.maxPixels)
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw .corrupt("no data") }
        let isCMYK = cs == Int32(TJCS_CMYK.rawValue) || cs == Int32(TJCS_YCCK.rawValue)
        let channels = isCMYK ? 4 : 3
        let format = isCMYK ? Int32(TJPF_CMYK.rawValue) : Int32(TJPF_RGB.rawValue)
        var raw = [UInt8](repeating: 0, count: width * height * channels)
        let rc = raw.withUnsafeMutableBufferPointer { dst in
            tjDecompress2(handle, base, UInt(bytes.count), dst.baseAddress, Int32(width), 0, Int32(height), format, 0)
        }
        var warnings: [DecodeWarning] = []
        if rc != 0 {
            let text = message(handle)
            guard tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) else { throw .corrupt(text) }
            if text.localizedLowercase.contains("premature end") {
                guard options.allowTruncated else { throw .corrupt("truncated: \(text)") }
                warnings.append(.truncated(decodedRows: nil, reason: text))
            } else {
                warnings.append(.recovered(reason: text))
            }
        }
        let mode = isCMYK ? "CMYK" : (cs == Int32(TJCS_GRAY.rawValue) ? "L" : "RGB")
        guard isCMYK else {
            return DecodedImage(image: RGBImage(width: width, height: height, trusted: raw),
                                format: .jpeg, sourceMode: mode, composited: false, warnings: warnings)
        }
        // PIL reads CMYK JPEGs as "CMYK;I" (Adobe polarity: stored value = 255 - ink).
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        raw.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for i in 0..<(width * height) {
                    let k = 255 - src[4 * i + 3]
                    dst[3 * i] = PixelConversion.cmykChannel(255 - src[4 * i], k)
                    dst[3 * i + 1] = PixelConversion.cmykChannel(255 - src[4 * i + 1], k)
                    dst[3 * i + 2] = PixelConversion.cmykChannel(255 - src[4 * i + 2], k)
                }
            }
        }
        return DecodedImage(image: RGBImage(width: width, height: height, trusted: rgb),
                            format: .jpeg, sourceMode: mode, composited: false, warnings: warnings)
    }

    private static func message(_ handle: tjhandle) -> String {
        guard let cstr = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return String(cString: cstr)
    }
}
