import FrameCutCore
/// Max and average pooling over NCHW planes (PyTorch `MaxPool2d`, `AvgPool2d`,
/// `AdaptiveAvgPool2d` semantics, floor mode).
public enum Pooling {
    /// `nn.MaxPool2d(kernel, stride, padding)`; padded positions never win (they are -inf).
    public static func max(_ x: Tensor, kernel: Int, stride: Int, padding: Padding = .none,
                           context: ComputeContext = ComputeContext()) -> Tensor {
        window(x, kernel: kernel, stride: stride, padding: padding, context: context, isMax: true, countIncludesPadding: false)
    }

    /// `nn.AvgPool2d(kernel, stride, padding, count_include_pad:)`.
    public static func average(_ x: Tensor, kernel: Int, stride: Int, padding: Padding = .none,
                               countIncludesPadding: Bool = true, context: ComputeContext = ComputeContext()) -> Tensor {
        window(x, kernel: kernel, stride: stride, padding: padding, context: context, isMax: false,
               countIncludesPadding: countIncludesPadding)
    }

    private static func window(_ x: Tensor, kernel: Int, stride: Int, padding: Padding, context: ComputeContext,
                               isMax: Bool, countIncludesPadding: Bool) -> Tensor {
        precondition(x.rank == 4, "Pooling: input \(x.shape) is not NCHW")
        let w = x.width
        let g = Geometry(height: x.height, width: w, kernel: kernel, stride: stride, padding: padding)
        return mapPlanes(x, outHeight: g.outHeight, outWidth: g.outWidth, context: context) { s, d in
            for oy in 0..<g.outHeight {
                let ry = g.rows(oy)
                for ox in 0..<g.outWidth {
                    let rx = g.columns(ox)
                    if isMax {
                        var m = -Float.infinity
                        for yy in ry.inside { for xx in rx.inside { m = Swift.max(m, s[yy * w + xx]) } }
                        d[oy * g.outWidth + ox] = m
                    } else {
                        var total: Float = 0
                        for yy in ry.inside { for xx in rx.inside { total += s[yy * w + xx] } }
                        d[oy * g.outWidth + ox] = total / g.divisor(ry, rx, countIncludesPadding: countIncludesPadding)
                    }
                }
            }
        }
    }

    /// A pooling window's placement: the output size and, per output row or column, the window's
    /// span within the padded input (what `count_include_pad` counts) and its part inside the
    /// input. Shared by the NCHW and blocked pools so that both place windows identically.
    struct Geometry {
        let height: Int, width: Int, kernel: Int, stride: Int
        let padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
        let outHeight: Int, outWidth: Int

        init(height: Int, width: Int, kernel: Int, stride: Int, padding: Padding) {
            (padTop, padLeft, padBottom, padRight) = padding.resolve(height: height, width: width, kernel: (kernel, kernel),
                                                                     stride: (stride, stride))
            self.height = height
            self.width = width
            self.kernel = kernel
            self.stride = stride
            outHeight = (height + padTop + padBottom - kernel) / stride + 1
            outWidth = (width + padLeft + padRight - kernel) / stride + 1
            precondition(outHeight > 0 && outWidth > 0, "Pooling: input \(height)x\(width) too small for kernel \(kernel)")
        }

        /// One axis of a window: `padded` positions inside the padded input, `inside` the input's.
        struct Span {
            let padded: Int
            let inside: Range<Int>
        }

        func rows(_ o: Int) -> Span { Self.span(o, stride: stride, padBefore: padTop, padAfter: padBottom, kernel: kernel, size: height) }
        func columns(_ o: Int) -> Span { Self.span(o, stride: stride, padBefore: padLeft, padAfter: padRight, kernel: kernel, size: width) }

        /// The average's divisor for a window (at least 1).
        func divisor(_ rows: Span, _ columns: Span, countIncludesPadding: Bool) -> Float {
            Float(Swift.max(countIncludesPadding ? rows.padded * columns.padded : rows.inside.count * columns.inside.count, 1))
        }

        private static func span(_ o: Int, stride: Int, padBefore: Int, padAfter: Int, kernel: Int, size: Int) -> Span {
            let start = o * stride - padBefore, end = Swift.min(start + kernel, size + padAfter)
            let inside = Swift.max(start, 0)..<Swift.max(Swift.min(end, size), Swift.max(start, 0))
            return Span(padded: end - start, inside: inside)
        }
    }

    /// `nn.MaxPool2d(kernel, stride, padding)` on blocked activations (padding never wins, as
    /// in PyTorch). Channel blocks are split across the threads.
    static func max(_ x: BlockedTensor, kernel: Int, stride: Int, padding: Padding = .none,
                    context: ComputeContext = ComputeContext()) -> BlockedTensor {
        let w = x.width, lanes = BlockedTensor.block
        let g = Geometry(height: x.height, width: w, kernel: kernel, stride: stride, padding: padding)
        return mapBlocks(x, height: g.outHeight, width: g.outWidth, context: context) { from, to in
            for oy in 0..<g.outHeight {
                let ry = g.rows(oy)
                for ox in 0..<g.outWidth {
                    let rx = g.columns(ox)
                    // `Swift.max(m, v)` lane by lane: `v` where `v >= m`.
                    var m = SIMD16<Float>(repeating: -.infinity)
                    for yy in ry.inside {
                        for xx in rx.inside {
                            let v = UnsafeRawPointer(from + (yy * w + xx) * lanes).loadUnaligned(as: SIMD16<Float>.self)
                            m.replace(with: v, where: v .>= m)
                        }
                    }
                    UnsafeMutableRawPointer(to + (oy * g.outWidth + ox) * lanes).storeBytes(of: m, as: SIMD16<Float>.self)
                }
            }
        }
    }

    /// `nn.AvgPool2d(kernel, stride = kernel)` without padding on blocked activations (CLIP
    /// RN-50's anti-aliasing pool).
    static func average(_ x: BlockedTensor, kernel: Int, context: ComputeContext = ComputeContext()) -> BlockedTensor {
        average(x, kernel: kernel, stride: kernel, context: context)
    }

    /// `nn.AvgPool2d(kernel, stride, padding, count_include_pad:)` on blocked activations (CLIP
    /// RN-50's anti-aliasing pool, Inception's 3x3 branch pool): each window summed in the same
    /// order as the NCHW `average`, so both give the same bits. Channel blocks are split across
    /// the threads.
    static func average(_ x: BlockedTensor, kernel: Int, stride: Int, padding: Padding = .none, countIncludesPadding: Bool = true,
                        context: ComputeContext = ComputeContext()) -> BlockedTensor {
        let w = x.width, lanes = BlockedTensor.block
        let g = Geometry(height: x.height, width: w, kernel: kernel, stride: stride, padding: padding)
        return mapBlocks(x, height: g.outHeight, width: g.outWidth, context: context) { from, to in
            for oy in 0..<g.outHeight {
                let ry = g.rows(oy)
                for ox in 0..<g.outWidth {
                    let rx = g.columns(ox)
                    // Lane-wise sums in the window's row-major order, as the NCHW loop sums.
                    var total = SIMD16<Float>()
                    for yy in ry.inside {
                        for xx in rx.inside {
                            total += UnsafeRawPointer(from + (yy * w + xx) * lanes).loadUnaligned(as: SIMD16<Float>.self)
                        }
                    }
                    total /= SIMD16(repeating: g.divisor(ry, rx, countIncludesPadding: countIncludesPadding))
                    UnsafeMutableRawPointer(to + (oy * g.outWidth + ox) * lanes).storeBytes(of: total, as: SIMD16<Float>.self)
                }
            }
        }
    }

    /// A blocked output of `height x width` per channel block, each block computed by `body`
    /// from its input block (`from`) into its output block (`to`); channel blocks are split
    /// across the threads. The driver both blocked pools share.
    private static func mapBlocks(_ x: BlockedTensor, height oh: Int, width ow: Int, context: ComputeContext,
                                  _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> BlockedTensor {
        let inBlock = x.height * x.width * BlockedTensor.block, outBlock = oh * ow * BlockedTensor.block
        return BlockedTensor(batch: x.batch, channels: x.channels, height: oh, width: ow) { out in
            guard let d = out.baseAddress else { return }
            let dst = SendablePointer(d)
            x.values.withUnsafeBufferPointer { input in
                guard let s = input.baseAddress else { return }
                let src = UncheckedSendable(s)
                context.forEachRange(x.batch * x.channelBlocks) { range in
                    for block in range { body(src.value + block * inBlock, dst.base + block * outBlock) }
                }
            }
        }
    }

    /// `nn.AdaptiveAvgPool2d((outHeight, outWidth))`: cell `i` averages input rows
    /// `floor(i*H/oh) ..< ceil((i+1)*H/oh)` (it repeats values when the output is larger).
    public static func adaptiveAverage(_ x: Tensor, outHeight: Int, outWidth: Int,
                                       context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(x.rank == 4, "Pooling: input \(x.shape) is not NCHW")
        let h = x.height, w = x.width
        return mapPlanes(x, outHeight: outHeight, outWidth: outWidth, context: context) { s, d in
            for oy in 0..<outHeight {
                let ya = oy * h / outHeight, yb = ((oy + 1) * h + outHeight - 1) / outHeight
                for ox in 0..<outWidth {
                    let xa = ox * w / outWidth, xb = ((ox + 1) * w + outWidth - 1) / outWidth
                    var total: Float = 0
                    for yy in ya..<yb { for xx in xa..<xb { total += s[yy * w + xx] } }
                    d[oy * outWidth + ox] = total / Float((yb - ya) * (xb - xa))
                }
            }
        }
    }

    /// A tensor of `outHeight x outWidth` planes, `body(input plane, output plane)` filling each;
    /// planes are split across the threads.
    private static func mapPlanes(_ x: Tensor, outHeight: Int, outWidth: Int, context: ComputeContext,
                                  _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
        let inPlane = x.height * x.width, outPlane = outHeight * outWidth
        return Tensor(shape: [x.batch, x.channels, outHeight, outWidth]) { out in
            let dst = SendablePointer(out.baseAddress!)
            x.values.withUnsafeBufferPointer { input in
                let src = UncheckedSendable(input.baseAddress!)
                context.forEachRange(x.batch * x.channels) { range in
                    for plane in range { body(src.value + plane * inPlane, dst.base + plane * outPlane) }
                }
            }
        }
    }

    /// Mean over each plane: `N x C x H x W` to `N x C` (global average pooling, summed in float64).
    public static func globalAverage(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "Pooling: input \(x.shape) is not NCHW")
        let plane = x.height * x.width
        return Tensor(shape: [x.batch, x.channels]) { out in
            x.values.withUnsafeBufferPointer { s in
                for p in 0..<(x.batch * x.channels) {
                    var total = 0.0
                    for i in 0..<plane { total += Double(s[p * plane + i]) }
                    out[p] = Float(total / Double(plane))
                }
            }
        }
    }
}
