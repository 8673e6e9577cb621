import CPNG

/// PNG through libpng (all bit depths and colour types, interlaced or not), converted to RGB
/// as PIL does: 16-bit colour keeps the high byte, 16-bit gray (PIL mode "I") is clipped to
/// 0...255, palette transparency and alpha channels are composited onto white, a tRNS colour
/// key on gray/RGB images is ignored.
enum PNGDecoder {
    /// Refuses a critical chunk before the first IDAT (IHDR, PLTE) whose CRC-32 is wrong, as
    /// PIL does ("broken PNG file (bad header checksum in b'IHDR')"). Like PIL reading
    /// truncated images, ancillary chunks (tEXt, tRNS, ...) and the image data itself are not
    /// checked (libpng then uses them as they are).
    static func checkHeaderChecksums(_ bytes: UnsafeRawBufferPointer) throws(DecodeFailure) {
        var position = 8
        while position + 12 <= bytes.count {
            let length = Int(bytes[position]) << 24 | Int(bytes[position + 1]) << 16 | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            let type = bytes[(position + 4)..<(position + 8)]
            if Array(type) == Array("IDAT".utf8) { return }
            guard length <= bytes.count - position - 12 else { return }  // truncated: libpng reports it
            let critical = type[type.startIndex] & 0x20 == 0
            if critical {
                let body = UnsafeRawBufferPointer(rebasing: bytes[(position + 4)..<(position + 8 + length)])
                let stored = UInt32(bytes[position + 8 + length]) << 24 | UInt32(bytes[position + 9 + length]) << 16
                    | UInt32(bytes[position + 10 + length]) << 8 | UInt32(bytes[position + 11 + length])
                if CRC32Checksum.checksum(body) != stored {
                    throw .corrupt("broken PNG file (bad header checksum in \(String(decoding: type, as: UTF8.self)))")
                }
            }
            position += 12 + length
        }
    }

    static func probe(_ bytes: UnsafeRawBufferPointer) throws(DecodeFailure) -> (width: Int, height: Int) {
        try checkHeaderChecksums(bytes)
        var result = framecut_png_result()
        var pixels: UnsafeMutablePointer<UInt8>? = nil
        let rc = framecut_png_decode(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, 1, UInt64.max, 0, &pixels, &result)
        free(pixels)
        guard rc == 0 else { throw .corrupt(message(result)) }
        return (Int(result.width), Int(result.height))
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions) throws(DecodeFailure) -> DecodedImage {
        try checkHeaderChecksums(bytes)
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var result = framecut_png_result()
        var pixels: UnsafeMutablePointer<UInt8>? = nil
        var rc = framecut_png_decode(base, bytes.count, 0, UInt64(options.maxPixels), 0, &pixels, &result)
        if rc == 2 {
            throw DecodeFailure(kind: .tooManyPixels(width: Int(result.width), height: Int(result.height), limit: options.maxPixels), reason: "")
        }
        if rc == 1 && result.truncated != 0 && result.rows_done < result.height {
            // Recover every complete row: feed compressed data to zlib byte by byte.
            free(pixels); pixels = nil
            rc = framecut_png_decode(base, bytes.count, 0, UInt64(options.maxPixels), 1, &pixels, &result)
        }
        defer { free(pixels) }
        var warnings: [DecodeWarning] = []
        if rc != 0 {
            guard pixels != nil, result.rows_read > 0, result.truncated != 0 || result.rows_done == result.height else {
                if rc == 3 { throw .corrupt("out of memory") }
                throw .corrupt(message(result))
            }
            guard options.allowTruncated else { throw .corrupt("truncated: \(message(result))") }
            warnings.append(.truncated(decodedRows: result.interlaced != 0 ? nil : Int(result.rows_done), reason: message(result)))
        }
        guard let pixels else { throw .corrupt(message(result)) }
        let width = Int(result.width), height = Int(result.height)
        let channels = Int(result.out_channels), depth = Int(result.out_depth)
        let rowBytes = result.out_rowbytes
        let colorType = Int32(result.color_type)
        let hasAlpha = channels == 2 || channels == 4
        let mode: String
        switch (colorType, Int(result.bit_depth)) {
        case (PNG_COLOR_TYPE_GRAY, 1): mode = "1"
        case (PNG_COLOR_TYPE_GRAY, 16): mode = "I"
        case (PNG_COLOR_TYPE_GRAY, _): mode = "L"
        case (PNG_COLOR_TYPE_PALETTE, _): mode = hasAlpha ? "PA" : "P"
        case (PNG_COLOR_TYPE_GRAY_ALPHA, 16): mode = "RGBA"
        case (PNG_COLOR_TYPE_GRAY_ALPHA, _): mode = "LA"
        case (PNG_COLOR_TYPE_RGB_ALPHA, _): mode = "RGBA"
        default: mode = "RGB"
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let rows = height  // rows past a truncation are zero, as in PIL (white once composited)
        rgb.withUnsafeMutableBufferPointer { dst in
            if depth == 8 {
                if rowBytes == width * channels {
                    let src = UnsafeBufferPointer(start: pixels, count: rows * rowBytes)
                    PixelConversion.toRGB(src, channels: channels, pixelCount: rows * width, into: dst)
                } else {
                    for y in 0..<rows {
                        let src = UnsafeBufferPointer(start: pixels + y * rowBytes, count: width * channels)
                        let out = UnsafeMutableBufferPointer(rebasing: dst[(y * width * 3)..<((y + 1) * width * 3)])
                        PixelConversion.toRGB(src, channels: channels, pixelCount: width, into: out)
                    }
                }
            } else if channels == 1 {
                // PIL mode "I": 16-bit gray converted with i2rgb, which clips to 0...255.
                for y in 0..<rows {
                    let row = pixels + y * rowBytes
                    for x in 0..<width {
                        let v = Int(row[2 * x]) << 8 | Int(row[2 * x + 1])
                        let c = UInt8(min(v, 255))
                        let o = (y * width + x) * 3
                        dst[o] = c; dst[o + 1] = c; dst[o + 2] = c
                    }
                }
            } else {
                // 16-bit with colour or alpha: PIL's ";16B" unpackers keep the high byte.
                var high = [UInt8](repeating: 0, count: width * channels)
                high.withUnsafeMutableBufferPointer { h in
                    for y in 0..<rows {
                        let row = pixels + y * rowBytes
                        for i in 0..<(width * channels) { h[i] = row[2 * i] }
                        let out = UnsafeMutableBufferPointer(rebasing: dst[(y * width * 3)..<((y + 1) * width * 3)])
                        PixelConversion.toRGB(UnsafeBufferPointer(h), channels: channels, pixelCount: width, into: out)
                    }
                }
            }
        }
        return DecodedImage(image: RGBImage(width: width, height: height, trusted: rgb), format: .png,
                            sourceMode: mode, composited: hasAlpha, warnings: warnings)
    }

    private static func message(_ result: framecut_png_result) -> String {
        var r = result
        let text = withUnsafeBytes(of: &r.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "invalid PNG data" : text
    }
}
