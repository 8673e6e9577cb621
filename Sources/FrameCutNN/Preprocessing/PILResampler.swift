import FrameCutIO

/// Antialiased resizing of 8-bit RGB images that reproduces Pillow's `Image.resize` bit for
/// bit: coefficients computed in double precision over the filter support scaled by the
/// downscaling factor, normalised, rounded to 22-bit fixed point, and applied in two passes
/// (horizontal then vertical, each rounded and clipped to 8 bits), skipping a pass whose size
/// does not change. torchvision's `Resize` and Hugging Face image processors call exactly this
/// on PIL images.
public enum PILResampler {
    static let precisionBits: Int32 = 32 - 8 - 2

    /// Fixed-point coefficients for one axis.
    struct Kernel {
        let taps: Int            // coefficients stored per output sample
        var start: [Int32]       // first input sample per output sample
        let count: [Int32]       // number of input samples per output sample
        let weights: [Int32]     // outSize * taps
    }

    static func kernel(inSize: Int, outSize: Int, filter: ResampleFilter) -> Kernel {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        var start = [Int32](repeating: 0, count: outSize)
        var count = [Int32](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * taps)
        var k = [Double](repeating: 0, count: taps)
        let inverse = 1.0 / filterScale
        let one = Double(1 << precisionBits)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            var lo = Int(center - support + 0.5)
            if lo < 0 { lo = 0 }
            var hi = Int(center + support + 0.5)
            if hi > inSize { hi = inSize }
            let n = max(0, hi - lo)
            var sum = 0.0
            for x in 0..<n {
                let w = filter.weight((Double(x + lo) - center + 0.5) * inverse)
                k[x] = w
                sum += w
            }
            for x in 0..<n {
                if sum != 0 { k[x] /= sum }
                let v = k[x]
                weights[xx * taps + x] = v < 0 ? Int32(-0.5 + v * one) : Int32(0.5 + v * one)
            }
            start[xx] = Int32(lo)
            count[xx] = Int32(n)
        }
        return Kernel(taps: taps, start: start, count: count, weights: weights)
    }

    @inline(__always) static func clip8(_ v: Int32) -> UInt8 {
        let s = v >> precisionBits
        return s <= 0 ? 0 : (s >= 255 ? 255 : UInt8(truncatingIfNeeded: s))
    }

    /// Resizes `image` to `width` x `height` exactly as Pillow's `image.resize((width, height), filter)`.
    public static func resize(_ image: RGBImage, width: Int, height: Int, filter: ResampleFilter) -> RGBImage {
        resize(image, width: width, height: height, filter: filter, region: (0, 0, width, height))
    }

    /// The `region` (x, y, width, height, inside the `width` x `height` result) of Pillow's
    /// resize, computing only what the region needs: every pixel equals the full resize's.
    /// A centre crop after a resize costs only the cropped part.
    public static func resize(_ image: RGBImage, width: Int, height: Int, filter: ResampleFilter,
                              region: (x: Int, y: Int, width: Int, height: Int)) -> RGBImage {
        let (rx, ry, rw, rh) = region
        guard width > 0, height > 0, image.width > 0, image.height > 0, rw > 0, rh > 0,
              rx >= 0, ry >= 0, rx + rw <= width, ry + rh <= height else {
            return RGBImage(width: max(0, rw), height: max(0, rh))
        }
        let needH = width != image.width
        let needV = height != image.height
        // Rows of the source (or of the horizontal pass) the region needs.
        var vertical: Kernel? = nil
        var firstRow = ry, lastRow = ry + rh
        if needV {
            let k = kernel(inSize: image.height, outSize: height, filter: filter)
            firstRow = Int(k.start[ry])
            lastRow = Int(k.start[ry + rh - 1] + k.count[ry + rh - 1])
            vertical = k
        }
        let rows = lastRow - firstRow
        var intermediate: [UInt8]
        if needH {
            let horizontal = kernel(inSize: image.width, outSize: width, filter: filter)
            intermediate = horizontalPass(image.pixels, inWidth: image.width, firstRow: firstRow, rows: rows,
                                          kernel: horizontal, firstColumn: rx, columns: rw)
        } else {
            intermediate = [UInt8](repeating: 0, count: rows * rw * 3)
            intermediate.withUnsafeMutableBufferPointer { dst in
                image.pixels.withUnsafeBufferPointer { src in
                    guard let d = dst.baseAddress, let s = src.baseAddress else { return }
                    for y in 0..<rows {
                        (d + y * rw * 3).update(from: s + ((firstRow + y) * image.width + rx) * 3, count: rw * 3)
                    }
                }
            }
        }
        guard let vertical else {
            return RGBImage(width: rw, height: rh, pixels: intermediate) ?? RGBImage(width: rw, height: rh)
        }
        let out = verticalPass(intermediate, width: rw, kernel: vertical, firstRow: firstRow, outFirst: ry, outRows: rh)
        return RGBImage(width: rw, height: rh, pixels: out) ?? RGBImage(width: rw, height: rh)
    }

    /// Horizontal pass over source rows `firstRow ..< firstRow + rows`, output columns
    /// `firstColumn ..< firstColumn + columns`. Two rows go through each column's coefficients
    /// together (same integer sums as one at a time, half the per-pixel overhead).
    static func horizontalPass(_ input: [UInt8], inWidth: Int, firstRow: Int, rows: Int, kernel: Kernel,
                               firstColumn: Int, columns: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: columns * rows * 3)
        let half: Int32 = 1 << (precisionBits - 1)
        let taps = kernel.taps
        let inStride = inWidth * 3, outStride = columns * 3
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                kernel.weights.withUnsafeBufferPointer { w in
                    kernel.start.withUnsafeBufferPointer { start in
                        kernel.count.withUnsafeBufferPointer { count in
                            guard let s = src.baseAddress, let d = dst.baseAddress, let wb = w.baseAddress,
                                  let sb = start.baseAddress, let cb = count.baseAddress else { return }
                            var y = 0
                            while y + 2 <= rows {
                                let line0 = s + (y + firstRow) * inStride
                                var o0 = d + y * outStride
                                for xx in firstColumn..<(firstColumn + columns) {
                                    var r0 = half, g0 = half, b0 = half, r1 = half, g1 = half, b1 = half
                                    var p = line0 + Int(sb[xx]) * 3
                                    let k = wb + xx * taps
                                    for x in 0..<Int(cb[xx]) {
                                        let c = k[x]
                                        r0 &+= Int32(p[0]) &* c; g0 &+= Int32(p[1]) &* c; b0 &+= Int32(p[2]) &* c
                                        r1 &+= Int32(p[inStride]) &* c; g1 &+= Int32(p[inStride + 1]) &* c; b1 &+= Int32(p[inStride + 2]) &* c
                                        p += 3
                                    }
                                    o0[0] = clip8(r0); o0[1] = clip8(g0); o0[2] = clip8(b0)
                                    o0[outStride] = clip8(r1); o0[outStride + 1] = clip8(g1); o0[outStride + 2] = clip8(b1)
                                    o0 += 3
                                }
                                y += 2
                            }
                            if y < rows {
                                let line = s + (y + firstRow) * inStride
                                var o = d + y * outStride
                                for xx in firstColumn..<(firstColumn + columns) {
                                    var r = half, g = half, b = half
                                    var p = line + Int(sb[xx]) * 3
                                    let k = wb + xx * taps
                                    for x in 0..<Int(cb[xx]) {
                                        let c = k[x]
                                        r &+= Int32(p[0]) &* c; g &+= Int32(p[1]) &* c; b &+= Int32(p[2]) &* c
                                        p += 3
                                    }
                                    o[0] = clip8(r); o[1] = clip8(g); o[2] = clip8(b)
                                    o += 3
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Vertical pass producing output rows `outFirst ..< outFirst + outRows`; `input` holds the
    /// rows from `firstRow` on.
    static func verticalPass(_ input: [UInt8], width: Int, kernel: Kernel, firstRow: Int, outFirst: Int, outRows: Int) -> [UInt8] {
        let stride = width * 3
        var out = [UInt8](repeating: 0, count: stride * outRows)
        var acc = [Int32](repeating: 0, count: stride)
        let half: Int32 = 1 << (precisionBits - 1)
        let taps = kernel.taps
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                acc.withUnsafeMutableBufferPointer { a in
                    kernel.weights.withUnsafeBufferPointer { w in
                        guard let s = src.baseAddress, let d = dst.baseAddress, let ab = a.baseAddress else { return }
                        for r in 0..<outRows {
                            let yy = outFirst + r
                            for i in 0..<stride { ab[i] = half }
                            let first = Int(kernel.start[yy]) - firstRow
                            for y in 0..<Int(kernel.count[yy]) {
                                let c = w[yy * taps + y]
                                let row = s + (first + y) * stride
                                for i in 0..<stride { ab[i] &+= Int32(row[i]) &* c }
                            }
                            let o = d + r * stride
                            for i in 0..<stride { o[i] = clip8(ab[i]) }
                        }
                    }
                }
            }
        }
        return out
    }
}
