import CGIF

/// The first frame of a GIF through giflib, placed on the logical screen as PIL does (the
/// screen starts filled with the transparent index, or index 0), looked up in the frame's
/// colour map (entries the map lacks are PIL's gray ramp) and composited onto white when the
/// frame declares a transparent index.
enum GIFDecoder {
    private final class Source {
        let base: UnsafePointer<UInt8>
        let count: Int
        var position = 0
        init(base: UnsafePointer<UInt8>, count: Int) { self.base = base; self.count = count }
    }

    private static let read: InputFunc = { gif, buffer, length in
        guard let gif, let buffer, length > 0, let user = gif.pointee.UserData else { return 0 }
        let source = Unmanaged<Source>.fromOpaque(user).takeUnretainedValue()
        let n = min(Int(length), source.count - source.position)
        if n > 0 { buffer.update(from: source.base + source.position, count: n) }
        source.position += n
        return Int32(n)
    }

    private static func open(_ bytes: UnsafeRawBufferPointer, _ source: Source) throws(DecodeFailure) -> UnsafeMutablePointer<GifFileType> {
        var error: Int32 = 0
        guard let gif = DGifOpen(Unmanaged.passUnretained(source).toOpaque(), read, &error) else {
            throw .corrupt(reason(error))
        }
        return gif
    }

    private static func reason(_ code: Int32) -> String {
        guard let text = GifErrorString(code) else { return "giflib error \(code)" }
        return String(cString: text)
    }

    static func probe(_ bytes: UnsafeRawBufferPointer) throws(DecodeFailure) -> (width: Int, height: Int) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw .corrupt("no data") }
        let source = Source(base: base, count: bytes.count)
        let gif = try open(bytes, source)
        let size = (Int(gif.pointee.SWidth), Int(gif.pointee.SHeight))
        var error: Int32 = 0
        DGifCloseFile(gif, &error)
        return withExtendedLifetime(source) { size }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, options: DecodeOptions) throws(DecodeFailure) -> DecodedImage {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw .corrupt("no data") }
        let source = Source(base: base, count: bytes.count)
        let gif = try open(bytes, source)
        defer {
            var error: Int32 = 0
            DGifCloseFile(gif, &error)
            withExtendedLifetime(source) {}
        }
        let width = Int(gif.pointee.SWidth), height = Int(gif.pointee.SHeight)
        try DecodeFailure.checkSize(width: width, height: height, limit: options.maxPixels)
        var transparent: Int? = nil
        var warnings: [DecodeWarning] = []
        while true {
            var record = UNDEFINED_RECORD_TYPE
            guard DGifGetRecordType(gif, &record) == GIF_OK else {
                throw .corrupt("no image in the file: \(reason(gif.pointee.Error))")
            }
            if record == TERMINATE_RECORD_TYPE { throw .corrupt("no image in the file") }
            if record == EXTENSION_RECORD_TYPE {
                var code: Int32 = 0
                var block: UnsafeMutablePointer<GifByteType>? = nil
                guard DGifGetExtension(gif, &code, &block) == GIF_OK else { throw .corrupt(reason(gif.pointee.Error)) }
                if code == GRAPHICS_EXT_FUNC_CODE, let b = block, b[0] >= 4, b[1] & 1 != 0 {
                    transparent = Int(b[4])
                }
                while block != nil {
                    guard DGifGetExtensionNext(gif, &block) == GIF_OK else { throw .corrupt(reason(gif.pointee.Error)) }
                }
                continue
            }
            guard record == IMAGE_DESC_RECORD_TYPE else { continue }
            guard DGifGetImageDesc(gif) == GIF_OK else { throw .corrupt(reason(gif.pointee.Error)) }
            let desc = gif.pointee.Image
            let map = desc.ColorMap ?? gif.pointee.SColorMap
            // PIL's palette: a gray ramp overwritten by the colour map's entries.
            var palette = [UInt8](repeating: 0, count: 256 * 3)
            for i in 0..<256 { palette[3 * i] = UInt8(i); palette[3 * i + 1] = UInt8(i); palette[3 * i + 2] = UInt8(i) }
            if let map, let colors = map.pointee.Colors {
                for i in 0..<min(256, Int(map.pointee.ColorCount)) {
                    palette[3 * i] = colors[i].Red; palette[3 * i + 1] = colors[i].Green; palette[3 * i + 2] = colors[i].Blue
                }
            }
            var indices = [UInt8](repeating: UInt8(truncatingIfNeeded: transparent ?? 0), count: width * height)
            let fw = Int(desc.Width), fh = Int(desc.Height), left = Int(desc.Left), top = Int(desc.Top)
            try DecodeFailure.checkSize(width: max(fw, 1), height: max(fh, 1), limit: options.maxPixels)
            var line = [UInt8](repeating: 0, count: max(fw, 1))
            let order: [Int]
            if desc.Interlace {
                order = [(0, 8), (4, 8), (2, 4), (1, 2)].flatMap { Array(stride(from: $0.0, to: fh, by: $0.1)) }
            } else {
                order = Array(0..<fh)
            }
            var decodedRows = 0
            let fill = UInt8(truncatingIfNeeded: transparent ?? 0)
            for y in order {
                // giflib leaves the pixels it decoded before a failure in the line.
                for x in 0..<line.count { line[x] = fill }
                let ok = line.withUnsafeMutableBufferPointer { DGifGetLine(gif, $0.baseAddress, Int32(fw)) == GIF_OK }
                let row = top + y
                if row >= 0, row < height {
                    for x in 0..<fw where left + x < width { indices[row * width + left + x] = line[x] }
                }
                guard ok else {
                    let text = reason(gif.pointee.Error)
                    guard options.allowTruncated, decodedRows > 0 else { throw .corrupt(text) }
                    warnings.append(.truncated(decodedRows: decodedRows, reason: text))
                    break
                }
                decodedRows += 1
            }
            var rgb = [UInt8](repeating: 0, count: width * height * 3)
            for i in 0..<(width * height) {
                let p = Int(indices[i])
                if p == transparent {
                    rgb[3 * i] = 255; rgb[3 * i + 1] = 255; rgb[3 * i + 2] = 255
                } else {
                    rgb[3 * i] = palette[3 * p]; rgb[3 * i + 1] = palette[3 * p + 1]; rgb[3 * i + 2] = palette[3 * p + 2]
                }
            }
            return DecodedImage(image: RGBImage(width: width, height: height, trusted: rgb), format: .gif,
                                sourceMode: map == nil ? "L" : "P", composited: transparent != nil, warnings: warnings)
        }
    }
}
