import CFrameCutNNKernels

extension ConvJob {
    /// Stride-1 depthwise convolution (ConvNeXt's 7x7, EfficientNet's stride-1 3x3/5x5): each
    /// channel is copied once into a zero-padded plane, then every output row is computed 8 columns
    /// at a time in SIMD registers, summing the taps in the same (row, column) order as the
    /// general loop; the output is written once instead of once per tap. Where the CPU has
    /// AVX-512, `framecut_nn_depthwise` (CFrameCutNNKernels) runs the same loop 16 columns at a
    /// time with the same operations in the same order (products rounded, then added), so the
    /// bits are those of the portable loop.
    func runDepthwiseStride1(batch: Int, context: ComputeContext) {
        let g = geometry
        let kh = g.kernelH, kw = g.kernelW
        let padW = g.outWidth + kw - 1, padH = g.outHeight + kh - 1
        context.forEachRange(batch * outChannels) { range in
            var padded = [Float](repeating: 0, count: padH * padW)
            var taps = [Float](repeating: 0, count: kh * kw)
            padded.withUnsafeMutableBufferPointer { padBuffer in
                taps.withUnsafeMutableBufferPointer { tapBuffer in
                    let pad = padBuffer.baseAddress!, w = tapBuffer.baseAddress!
                    for nc in range {
                        let c = nc % outChannels
                        fillPadded(pad, from: input + nc * g.inPlane, padWidth: padW)
                        w.update(from: weight + c * kh * kw, count: kh * kw)
                        let dst = output + nc * g.outPlane
                        // The AVX-512 kernel does the loop below 16 columns at a time, same operations and order.
                        if framecut_nn_depthwise(pad, Int32(padW), w, Int32(kh), Int32(kw), dst, Int32(g.outHeight), Int32(g.outWidth)) != 0 {
                            epilogue(image: nc / outChannels, channels: c..<(c + 1), columns: 0..<g.outPlane)
                            continue
                        }
                        for oy in 0..<g.outHeight {
                            let out = dst + oy * g.outWidth
                            var ox = 0
                            while ox + 8 <= g.outWidth {
                                var acc = SIMD8<Float>(repeating: 0)
                                for i in 0..<kh {
                                    let row = UnsafeRawPointer(pad + (oy + i) * padW + ox)
                                    for j in 0..<kw {
                                        acc += SIMD8<Float>(repeating: w[i * kw + j])
                                            * row.loadUnaligned(fromByteOffset: j * MemoryLayout<Float>.stride, as: SIMD8<Float>.self)
                                    }
                                }
                                UnsafeMutableRawPointer(out + ox).storeBytes(of: acc, as: SIMD8<Float>.self)
                                ox += 8
                            }
                            while ox < g.outWidth {
                                var acc: Float = 0
                                for i in 0..<kh {
                                    let row = pad + (oy + i) * padW + ox
                                    for j in 0..<kw { acc += w[i * kw + j] * row[j] }
                                }
                                out[ox] = acc
                                ox += 1
                            }
                        }
                        epilogue(image: nc / outChannels, channels: c..<(c + 1), columns: 0..<g.outPlane)
                    }
                }
            }
        }
    }

    /// Copies one input plane into the interior of a zero-bordered `padWidth`-wide plane (the
    /// border stays zero from the allocation; only the interior is rewritten).
    @inline(__always)
    private func fillPadded(_ pad: UnsafeMutablePointer<Float>, from src: UnsafePointer<Float>, padWidth: Int) {
        let g = geometry
        for y in 0..<g.height {
            (pad + (y + g.padTop) * padWidth + g.padLeft).update(from: src + y * g.width, count: g.width)
        }
    }
}
