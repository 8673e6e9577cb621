/// Colour conversions to 8-bit RGB with PIL's exact integer arithmetic (Convert.c, Paste.c).
enum PixelConversion {
    /// PIL's `DIV255`: `x / 255` rounded, exact for 0 ... 65025.
    @inline(__always) static func div255(_ x: Int) -> Int {
        let t = x + 128
        return ((t >> 8) + t) >> 8
    }

    /// Composites one straight-alpha sample onto white as `Image.paste(rgb, mask=alpha)` on a
    /// white image does: `DIV255(255 * (255 - a) + c * a)`.
    @inline(__always) static func onWhite(_ c: UInt8, _ a: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: div255(255 * (255 - Int(a)) + Int(c) * Int(a)))
    }

    /// PIL's `cmyk2rgb` for a CMYK pixel (already in PIL's polarity: 0 = no ink).
    @inline(__always) static func cmykChannel(_ c: UInt8, _ k: UInt8) -> UInt8 {
        let nk = 255 - Int(k)
        let t = Int(c) * nk + 128
        let v = nk - (((t >> 8) + t) >> 8)
        return UInt8(clamping: v)
    }

    /// Interleaved samples (`channels` per pixel, 8-bit) to RGB. 1: gray, 2: gray + alpha,
    /// 3: RGB, 4: RGBA. Alpha is composited onto white.
    static func toRGB(_ src: UnsafeBufferPointer<UInt8>, channels: Int, pixelCount: Int, into dst: UnsafeMutableBufferPointer<UInt8>) {
        switch channels {
        case 1:
            for i in 0..<pixelCount {
                let v = src[i]
                dst[3 * i] = v; dst[3 * i + 1] = v; dst[3 * i + 2] = v
            }
        case 2:
            for i in 0..<pixelCount {
                let v = onWhite(src[2 * i], src[2 * i + 1])
                dst[3 * i] = v; dst[3 * i + 1] = v; dst[3 * i + 2] = v
            }
        case 3:
            for i in 0..<(pixelCount * 3) { dst[i] = src[i] }
        default:
            for i in 0..<pixelCount {
                let a = src[4 * i + 3]
                dst[3 * i] = onWhite(src[4 * i], a)
                dst[3 * i + 1] = onWhite(src[4 * i + 1], a)
                dst[3 * i + 2] = onWhite(src[4 * i + 2], a)
            }
        }
    }
}
