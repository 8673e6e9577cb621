/// Windows/OS2 bitmaps decoded in Swift: 1/2/4/8-bit palettes, 16/24/32-bit, bottom-up or
/// top-down, BI_BITFIELDS masks, RLE8 and RLE4. 32-bit BI_RGB ignores the fourth byte as PIL
/// does; an alpha mask (BI_BITFIELDS/BI_ALPHABITFIELDS) is composited onto white.
enum BMPDecoder {
    private struct Header {
        var width = 0, height = 0, topDown = false, bpp = 0, compression = 0
        var offset = 0, paletteOffset = 0, paletteEntries = 0, paletteEntrySize = 4
        var masks: [UInt32] = []  // r, g, b, a
    }

    private static func u16(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
    private static func u32(_ b: UnsafeRawBufferPointer, _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }

    private static func header(_ b: UnsafeRawBufferPointer) throws(DecodeFailure) -> Header {
        guard b.count >= 26, b[0] == 0x42, b[1] == 0x4D else { throw .corrupt("file header too short") }
        var h = Header()
        h.offset = Int(u32(b, 10))
        let dib = Int(u32(b, 14))
        if dib == 12 {
            h.width = u16(b, 18); h.height = u16(b, 20); h.bpp = u16(b, 24)
            h.paletteEntrySize = 3
            h.paletteEntries = h.bpp <= 8 ? 1 << h.bpp : 0
        } else {
            guard dib >= 40, b.count >= 14 + 40 else { throw .corrupt("unknown or short DIB header (\(dib) bytes)") }
            h.width = Int(Int32(bitPattern: u32(b, 18)))
            let rawHeight = Int(Int32(bitPattern: u32(b, 22)))
            h.topDown = rawHeight < 0
            h.height = abs(rawHeight)
            h.bpp = u16(b, 28)
            h.compression = Int(u32(b, 30))
            let used = Int(u32(b, 46))
            if h.bpp <= 8 { h.paletteEntries = used > 0 ? min(used, 1 << h.bpp) : 1 << h.bpp }
            // Masks sit right after a 40-byte header, or inside larger (V2...V5) headers.
            let maskOffset = 14 + 40
            var afterHeader = 14 + dib
            if h.compression == 3 || h.compression == 6 {
                let count = h.compression == 6 || dib >= 56 ? 4 : 3
                if dib == 40 { afterHeader += 4 * count }
                guard b.count >= maskOffset + 4 * count else { throw .corrupt("bit masks missing") }
                h.masks = (0..<count).map { u32(b, maskOffset + 4 * $0) }
            }
            h.paletteOffset = afterHeader
        }
        if dib == 12 { h.paletteOffset = 14 + 12 }
        guard h.width > 0, h.height > 0 else { throw .corrupt("invalid size \(h.width)x\(h.height)") }
        guard [1, 2, 4, 8, 16, 24, 32].contains(h.bpp) else { throw .corrupt("invalid bit depth \(h.bpp)") }
        return h
    }

    static func probe(_ bytes: UnsafeRawBufferPointer) throws(DecodeFailure) -> (width: Int, height: Int) {
        let h = try header(bytes)
        return (h.width, h.height)
    }

    static func decode(_ b: UnsafeRawBufferPointer, options: DecodeOptions) throws(DecodeFailure) -> DecodedImage {
        let h = try header(b)
        try DecodeFailure.checkSize(width: h.width, height: h.height, limit: options.maxPixels)
        switch h.compression {
        case 0: break
        case 3, 6: guard h.bpp == 16 || h.bpp == 32 else { throw .corrupt("bit fields need 16 or 32 bits per pixel") }
        case 1: guard h.bpp == 8 else { throw .corrupt("RLE8 needs 8 bits per pixel") }
        case 2: guard h.bpp == 4 else { throw .corrupt("RLE4 needs 4 bits per pixel") }
        default: throw .unsupported("compression \(h.compression)")
        }
        let width = h.width, height = h.height
        let (rowBytes, overflow) = ((width * h.bpp + 31) / 32).multipliedReportingOverflow(by: 4)
        guard !overflow else { throw .corrupt("row size overflow") }
        guard h.offset < b.count else { throw .corrupt("pixel data offset beyond the end of the file") }
        // PIL's palette: a gray ramp overwritten by the file's entries.
        var palette = [UInt8](repeating: 0, count: 256 * 3)
        for i in 0..<256 { palette[3 * i] = UInt8(i); palette[3 * i + 1] = UInt8(i); palette[3 * i + 2] = UInt8(i) }
        for i in 0..<h.paletteEntries {
            let o = h.paletteOffset + i * h.paletteEntrySize
            guard o + 3 <= b.count else { break }
            palette[3 * i] = b[o + 2]; palette[3 * i + 1] = b[o + 1]; palette[3 * i + 2] = b[o]
        }
        var masks = h.masks
        if masks.isEmpty && h.bpp == 16 { masks = [0x7C00, 0x03E0, 0x001F] }
        let useAlpha = (h.compression == 3 || h.compression == 6) && masks.count == 4 && masks[3] != 0
        let shifts = masks.map { $0 == 0 ? 0 : UInt32($0.trailingZeroBitCount) }
        let maxima = zip(masks, shifts).map { $0 == 0 ? UInt32(1) : $0 >> $1 }
        func channel(_ v: UInt32, _ c: Int) -> UInt8 {
            guard masks[c] != 0 else { return 0 }
            return UInt8(truncatingIfNeeded: Int((v & masks[c]) >> shifts[c]) * 255 / Int(maxima[c]))
        }
        if h.compression == 1 || h.compression == 2 {
            return try decodeRLE(b, h, palette: palette, options: options)
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let available = (b.count - h.offset) / rowBytes
        let rows = min(height, available)
        var warnings: [DecodeWarning] = []
        if rows < height {
            guard options.allowTruncated, rows > 0 || b.count > h.offset else { throw .corrupt("no pixel data") }
            warnings.append(.truncated(decodedRows: rows, reason: "pixel data ends after \(rows) of \(height) rows"))
        }
        for r in 0..<rows {
            let y = h.topDown ? r : height - 1 - r
            let src = h.offset + r * rowBytes
            var o = y * width * 3
            for x in 0..<width {
                switch h.bpp {
                case 24:
                    let s = src + 3 * x
                    rgb[o] = b[s + 2]; rgb[o + 1] = b[s + 1]; rgb[o + 2] = b[s]
                case 32 where h.compression == 0:
                    let s = src + 4 * x
                    rgb[o] = b[s + 2]; rgb[o + 1] = b[s + 1]; rgb[o + 2] = b[s]
                case 16, 32:
                    let v = h.bpp == 16 ? UInt32(u16(b, src + 2 * x)) : u32(b, src + 4 * x)
                    let (cr, cg, cb) = (channel(v, 0), channel(v, 1), channel(v, 2))
                    if useAlpha {
                        let a = channel(v, 3)
                        rgb[o] = PixelConversion.onWhite(cr, a); rgb[o + 1] = PixelConversion.onWhite(cg, a); rgb[o + 2] = PixelConversion.onWhite(cb, a)
                    } else {
                        rgb[o] = cr; rgb[o + 1] = cg; rgb[o + 2] = cb
                    }
                default:
                    let bit = x * h.bpp
                    let byte = Int(b[src + bit / 8])
                    let index = (byte >> (8 - h.bpp - bit % 8)) & ((1 << h.bpp) - 1)
                    rgb[o] = palette[3 * index]; rgb[o + 1] = palette[3 * index + 1]; rgb[o + 2] = palette[3 * index + 2]
                }
                o += 3
            }
        }
        let mode = h.bpp <= 8 ? "P" : (useAlpha ? "RGBA" : "RGB")
        return DecodedImage(image: RGBImage(width: width, height: height, trusted: rgb), format: .bmp,
                            sourceMode: mode, composited: useAlpha, warnings: warnings)
    }

    /// Run-length encoded 4/8-bit bitmaps, expanded to palette indices the way PIL's
    /// `BmpRleDecoder` does (including its handling of over-long runs, end-of-line padding,
    /// and a delta escape that consumes four bytes), then looked up in the palette.
    private static func decodeRLE(_ b: UnsafeRawBufferPointer, _ h: Header, palette: [UInt8], options: DecodeOptions) throws(DecodeFailure) -> DecodedImage {
        let width = h.width, height = h.height, total = width * height
        let rle4 = h.compression == 2
        var data = [UInt8]()
        data.reserveCapacity(total)
        var pos = h.offset
        var x = 0
        var ended = false
        func read(_ n: Int) -> Int { let k = max(0, min(n, b.count - pos)); pos += k; return k }
        while data.count < total {
            guard pos + 2 <= b.count else { break }
            let count = Int(b[pos]), value = b[pos + 1]
            pos += 2
            if count > 0 {
                let n = x + count > width ? max(0, width - x) : count
                if rle4 {
                    let first = value >> 4, second = value & 0x0F
                    for i in 0..<n { data.append(i % 2 == 0 ? first : second) }
                } else {
                    data.append(contentsOf: repeatElement(value, count: n))
                }
                x += n
            } else if value == 0 {
                while data.count % width != 0 { data.append(0) }
                x = 0
            } else if value == 1 {
                ended = true
                break
            } else if value == 2 {
                // PIL reads two bytes, then takes the next two as (right, up).
                guard read(2) == 2, pos + 2 <= b.count else { break }
                let right = Int(b[pos]), up = Int(b[pos + 1])
                pos += 2
                data.append(contentsOf: repeatElement(0, count: right + up * width))
                x = data.count % width
            } else {
                let wanted = rle4 ? Int(value) / 2 : Int(value)
                let start = pos
                let got = read(wanted)
                for i in 0..<got {
                    let byte = b[start + i]
                    if rle4 { data.append(byte >> 4); data.append(byte & 0x0F) } else { data.append(byte) }
                }
                if got < wanted { break }
                x += Int(value)
                if pos % 2 != 0 { pos += 1 }
            }
        }
        var warnings: [DecodeWarning] = []
        if !ended && data.count < total {
            guard options.allowTruncated, !data.isEmpty else { throw .corrupt("RLE data ends before any pixel") }
            warnings.append(.truncated(decodedRows: data.count / width, reason: "RLE data ends before the end-of-bitmap marker"))
        }
        var rgb = [UInt8](repeating: 0, count: total * 3)
        let n = min(total, data.count)
        for i in 0..<n {
            let r = i / width, col = i % width
            let y = h.topDown ? r : height - 1 - r
            let o = (y * width + col) * 3, p = 3 * Int(data[i])
            rgb[o] = palette[p]; rgb[o + 1] = palette[p + 1]; rgb[o + 2] = palette[p + 2]
        }
        if n < total {
            // PIL leaves the rest at index 0 (palette entry 0).
            for i in n..<total {
                let r = i / width, col = i % width
                let y = h.topDown ? r : height - 1 - r
                let o = (y * width + col) * 3
                rgb[o] = palette[0]; rgb[o + 1] = palette[1]; rgb[o + 2] = palette[2]
            }
        }
        return DecodedImage(image: RGBImage(width: width, height: height, trusted: rgb), format: .bmp,
                            sourceMode: "P", composited: false, warnings: warnings)
    }
}
