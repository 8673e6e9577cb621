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
        let h = x.height, w = x.width
        let (pt, pl, pb, pr) = padding.resolve(height: h, width: w, kernel: (kernel, kernel), stride: (stride, stride))
        let oh = (h + pt + pb - kernel) / stride + 1, ow = (w + pl + pr - kernel) / stride + 1
        precondition(oh > 0 && ow > 0, "Pooling: input \(h)x\(w) too small for kernel \(kernel)")
        return mapPlanes(x, outHeight: oh, outWidth: ow, context: context) { s, d in
            for oy in 0..<oh {
                let y0 = oy * stride - pt, y1 = Swift.min(y0 + kernel, h + pb)
                let ya = Swift.max(y0, 0), yb = Swift.min(y1, h)
                for ox in 0..<ow {
                    let x0 = ox * stride - pl, x1 = Swift.min(x0 + kernel, w + pr)
                    let xa = Swift.max(x0, 0), xb = Swift.min(x1, w)
                    if isMax {
                        var m = -Float.infinity
                        for yy in ya..<yb { for xx in xa..<xb { m = Swift.max(m, s[yy * w + xx]) } }
                        d[oy * ow + ox] = m
                    } else {
                        var total: Float = 0
                        for yy in ya..<yb { for xx in xa..<xb { total += s[yy * w + xx] } }
                        let divisor = countIncludesPadding ? (y1 - y0) * (x1 - x0) : (yb - ya) * (xb - xa)
                        d[oy * ow + ox] = total / Float(Swift.max(divisor, 1))
                    }
                }
            }
        }
    }

    /// `nn.MaxPool2d(kernel, stride, padding)` on blocked activations (padding never wins, as
    /// in PyTorch). Channel blocks are split across the threads.
    static func max(_ x: BlockedTensor, kernel: Int, stride: Int, padding: Padding = .none,
                    context: ComputeContext = ComputeContext()) -> BlockedTensor {
        let h = x.height, w = x.width, lanes = BlockedTensor.block
        let (pt, pl, pb, pr) = padding.resolve(height: h, width: w, kernel: (kernel, kernel), stride: (stride, stride))
        let oh = (h + pt + pb - kernel) / stride + 1, ow = (w + pl + pr - kernel) / stride + 1
        precondition(oh > 0 && ow > 0, "Pooling: input \(h)x\(w) too small for kernel \(kernel)")
        return mapBlocks(x, height: oh, width: ow, context: context) { from, to in
            for oy in 0..<oh {
                let ya = Swift.max(oy * stride - pt, 0), yb = Swift.min(oy * stride - pt + kernel, h)
                for ox in 0..<ow {
                    let xa = Swift.max(ox * stride - pl, 0), xb = Swift.min(ox * stride - pl + kernel, w)
                    let m = to + (oy * ow + ox) * lanes
                    for lane in 0..<16 { m[lane] = -.infinity }
                    for yy in ya..<yb {
                        for xx in xa..<xb {
                            let v = from + (yy * w + xx) * lanes
                            for lane in 0..<16 { m[lane] = Swift.max(m[lane], v[lane]) }
                        }
                    }
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
        let h = x.height, w = x.width, lanes = BlockedTensor.block
        let (pt, pl, pb, pr) = padding.resolve(height: h, width: w, kernel: (kernel, kernel), stride: (stride, stride))
        let oh = (h + pt + pb - kernel) / stride + 1, ow = (w + pl + pr - kernel) / stride + 1
        precondition(oh > 0 && ow > 0, "Pooling: input \(h)x\(w) too small for kernel \(kernel)")
        return mapBlocks(x, height: oh, width: ow, context: context) { from, to in
            for oy in 0..<oh {
                let y0 = oy * stride - pt, y1 = Swift.min(y0 + kernel, h + pb)
                let ya = Swift.max(y0, 0), yb = Swift.min(y1, h)
                for ox in 0..<ow {
                    let x0 = ox * stride - pl, x1 = Swift.min(x0 + kernel, w + pr)
                    let xa = Swift.max(x0, 0), xb = Swift.min(x1, w)
                    // Lane-wise sums in the window's row-major order, as the NCHW loop sums.
                    let total = to + (oy * ow + ox) * lanes
                    for lane in 0..<16 { total[lane] = 0 }
                    for yy in ya..<yb {
                        for xx in xa..<xb {
                            let v = from + (yy * w + xx) * lanes
                            for lane in 0..<16 { total[lane] += v[lane] }
                        }
                    }
                    let divisor = Float(Swift.max(countIncludesPadding ? (y1 - y0) * (x1 - x0) : (yb - ya) * (xb - xa), 1))
                    for lane in 0..<16 { total[lane] /= divisor }
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
