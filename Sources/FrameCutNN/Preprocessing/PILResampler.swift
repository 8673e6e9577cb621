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
        guard width > 0, height > 0, image.width > 0, image.height > 0 else { return RGBImage(width: max(0, width), height: max(0, height)) }
        let needH = width != image.width
        let needV = height != image.height
        if !needH && !needV { return image }
        var vertical = kernel(inSize: image.height, outSize: height, filter: filter)
        var source = image.pixels
        var srcWidth = image.width
        var srcRows = image.height
        if needH {
            let first = Int(vertical.start[0])
            let last = Int(vertical.start[height - 1] + vertical.count[height - 1])
            let rows = needV ? last - first : image.height
            let rowOffset = needV ? first : 0
            if needV { for i in 0..<height { vertical.start[i] -= Int32(first) } }
            let horizontal = kernel(inSize: image.width, outSize: width, filter: filter)
            source = horizontalPass(image.pixels, inWidth: image.width, rowOffset: rowOffset, rows: rows, outWidth: width, kernel: horizontal)
            srcWidth = width
            srcRows = rows
        }
        guard needV else { return RGBImage(width: width, height: height, pixels: source) ?? RGBImage(width: width, height: height) }
        let out = verticalPass(source, width: srcWidth, rows: srcRows, outHeight: height, kernel: vertical)
        return RGBImage(width: width, height: height, pixels: out) ?? RGBImage(width: width, height: height)
    }

    static func horizontalPass(_ input: [UInt8], inWidth: Int, rowOffset: Int, rows: Int, outWidth: Int, kernel: Kernel) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: outWidth * rows * 3)
        let half: Int32 = 1 << (precisionBits - 1)
        let taps = kernel.taps
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                kernel.weights.withUnsafeBufferPointer { w in
                    kernel.start.withUnsafeBufferPointer { start in
                        kernel.count.withUnsafeBufferPointer { count in
                            for y in 0..<rows {
                                let line = (y + rowOffset) * inWidth * 3
                                let outLine = y * outWidth * 3
                                for xx in 0..<outWidth {
                                    var s0 = half, s1 = half, s2 = half
                                    var p = line + Int(start[xx]) * 3
                                    let k = xx * taps
                                    for x in 0..<Int(count[xx]) {
                                        let c = w[k + x]
                                        s0 &+= Int32(src[p]) &* c
                                        s1 &+= Int32(src[p + 1]) &* c
                                        s2 &+= Int32(src[p + 2]) &* c
                                        p += 3
                                    }
                                    let o = outLine + xx * 3
                                    dst[o] = clip8(s0); dst[o + 1] = clip8(s1); dst[o + 2] = clip8(s2)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    static func verticalPass(_ input: [UInt8], width: Int, rows: Int, outHeight: Int, kernel: Kernel) -> [UInt8] {
        let stride = width * 3
        var out = [UInt8](repeating: 0, count: stride * outHeight)
        var acc = [Int32](repeating: 0, count: stride)
        let half: Int32 = 1 << (precisionBits - 1)
        let taps = kernel.taps
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                acc.withUnsafeMutableBufferPointer { a in
                    kernel.weights.withUnsafeBufferPointer { w in
                        for yy in 0..<outHeight {
                            for i in 0..<stride { a[i] = half }
                            let first = Int(kernel.start[yy])
                            for y in 0..<Int(kernel.count[yy]) {
                                let c = w[yy * taps + y]
                                let row = (first + y) * stride
                                for i in 0..<stride { a[i] &+= Int32(src[row + i]) &* c }
                            }
                            let o = yy * stride
                            for i in 0..<stride { dst[o + i] = clip8(a[i]) }
                        }
                    }
                }
            }
        }
        return out
    }
}
