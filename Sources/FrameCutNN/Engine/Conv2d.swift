import CBLAS
import FrameCutCore

/// Zero padding around the input of a convolution or pooling window.
public enum Padding: Sendable, Equatable {
    /// Explicit amounts on each side (PyTorch `padding=` is `symmetric`).
    case explicit(top: Int, left: Int, bottom: Int, right: Int)
    /// TensorFlow "SAME": the output has `ceil(size / stride)` positions and the padding is
    /// split with the extra pixel at the bottom/right, computed from the actual input size.
    case tfSame

    public static func symmetric(_ p: Int) -> Padding { .explicit(top: p, left: p, bottom: p, right: p) }
    public static func symmetric(_ ph: Int, _ pw: Int) -> Padding { .explicit(top: ph, left: pw, bottom: ph, right: pw) }
    public static let none = Padding.explicit(top: 0, left: 0, bottom: 0, right: 0)

    /// (top, left, bottom, right) for an input of `height x width`.
    func resolve(height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int)) -> (Int, Int, Int, Int) {
        switch self {
        case .explicit(let t, let l, let b, let r):
            return (t, l, b, r)
        case .tfSame:
            func split(_ size: Int, _ k: Int, _ s: Int) -> (Int, Int) {
                let out = (size + s - 1) / s
                let total = max((out - 1) * s + k - size, 0)
                return (total / 2, total - total / 2)
            }
            let (t, b) = split(height, kernel.0, stride.0)
            let (l, r) = split(width, kernel.1, stride.1)
            return (t, l, b, r)
        }
    }
}

/// Batch-norm parameters to fold into the preceding convolution or linear layer.
public struct BatchNormParameters: Sendable {
    public var weight: [Float]
    public var bias: [Float]
    public var runningMean: [Float]
    public var runningVar: [Float]
    public var eps: Double

    public init(weight: [Float], bias: [Float], runningMean: [Float], runningVar: [Float], eps: Double) {
        self.weight = weight
        self.bias = bias
        self.runningMean = runningMean
        self.runningVar = runningVar
        self.eps = eps
    }
}

/// A 2-D convolution (PyTorch `nn.Conv2d` semantics, dilation 1) with optional batch norm
/// folded in at load time, a bias, and a fused activation and residual add.
///
/// Computation: `groups == channels` (depthwise) runs a direct loop; other grouped layers and
/// 1x1 stride-1 layers are one SGEMM per image and group, `W[out x in*kh*kw] * cols[in*kh*kw x
/// OH*OW]`, where `cols` is the input itself for 1x1 stride-1 convolutions; wide 3x3 stride-1
/// layers use Winograd F(2x2, 3x3); every other layer runs oneDNN's direct convolution
/// (`Conv2d+DNNL.swift`), or, with oneDNN off, SGEMM on an `im2col` buffer.
public struct Conv2d: Sendable {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: (height: Int, width: Int)
    public let stride: (height: Int, width: Int)
    public let padding: Padding
    public let groups: Int
    public let activation: Activation
    /// `out x (in / groups) x kh x kw`, batch norm already folded in.
    let weight: [Float]
    /// One per output channel (zeros when the layer has neither bias nor batch norm).
    let bias: [Float]
    /// Winograd F(2x2, 3x3) transform of `weight` (`16 x out x in`), for 3x3 stride-1 layers.
    let winogradWeight: [Float]?
    /// The oneDNN path's primitives (`Conv2d+DNNL.swift`), for layers it takes.
    let dnnl: DNNLConvolution?
    /// The blocked-layout oneDNN path (`Conv2d+Blocked.swift`), for layers it takes.
    let blocked: DNNLBlockedConvolution?

    /// - Parameters:
    ///   - weight: `outChannels * (inChannels / groups) * kh * kw` values (PyTorch layout).
    ///   - bias: the convolution's own bias, if any.
    ///   - batchNorm: folded as `w * g / sqrt(v + eps)`, `(b - m) * g / sqrt(v + eps) + beta`, in float64.
    public init(inChannels: Int, outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding = .none, groups: Int = 1, weight: [Float], bias: [Float]? = nil,
                batchNorm: BatchNormParameters? = nil, activation: Activation = .identity) {
        self.init(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                  groups: groups, weight: weight, bias: bias, batchNorm: batchNorm, activation: activation, oneDNN: true)
    }

    /// `oneDNN: false` keeps the layer on the SGEMM / Winograd paths (tests compare both).
    init(inChannels: Int, outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
         padding: Padding = .none, groups: Int = 1, weight: [Float], bias: [Float]? = nil,
         batchNorm: BatchNormParameters? = nil, activation: Activation = .identity, oneDNN: Bool) {
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0, "Conv2d: bad groups")
        let perOut = (inChannels / groups) * kernel.0 * kernel.1
        precondition(weight.count == outChannels * perOut, "Conv2d: weight count \(weight.count) != \(outChannels * perOut)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.groups = groups
        self.activation = activation
        var w = weight
        var b = bias ?? [Float](repeating: 0, count: outChannels)
        if let bn = batchNorm {
            for o in 0..<outChannels {
                let scale = Double(bn.weight[o]) / (Double(bn.runningVar[o]) + bn.eps).squareRoot()
                for k in 0..<perOut { w[o * perOut + k] = Float(Double(w[o * perOut + k]) * scale) }
                b[o] = Float((Double(b[o]) - Double(bn.runningMean[o])) * scale + Double(bn.bias[o]))
            }
        }
        self.weight = w
        self.bias = b
        dnnl = !oneDNN ? nil : DNNLConvolution(weight: w, inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride,
                               groups: groups)
        blocked = !oneDNN ? nil : DNNLBlockedConvolution(weight: w, bias: b, inChannels: inChannels, outChannels: outChannels,
                                                         kernel: kernel, stride: stride, groups: groups, activation: activation)
        winogradWeight = Self.usesWinograd(kernel: kernel, stride: stride, groups: groups, inChannels: inChannels)
            ? Winograd.transformWeights(w, outChannels: outChannels, inChannels: inChannels) : nil
    }

    var isDepthwise: Bool { groups == inChannels && groups == outChannels && groups > 1 }

    /// Output height and width for an input of `height x width`.
    public func outputSize(height: Int, width: Int) -> (Int, Int) {
        let (t, l, b, r) = padding.resolve(height: height, width: width, kernel: kernel, stride: stride)
        return ((height + t + b - kernel.0) / stride.0 + 1, (width + l + r - kernel.1) / stride.1 + 1)
    }

    /// `activation(conv(x) + bias + residual)`; `residual` must have the output's shape.
    public func callAsFunction(_ x: Tensor, residual: Tensor? = nil, context: ComputeContext = ComputeContext()) -> Tensor {
        precondition(x.rank == 4 && x.channels == inChannels, "Conv2d: input \(x.shape), expected \(inChannels) channels")
        let n = x.batch, h = x.height, w = x.width
        let pads = padding.resolve(height: h, width: w, kernel: kernel, stride: stride)
        let oh = (h + pads.0 + pads.2 - kernel.0) / stride.0 + 1
        let ow = (w + pads.1 + pads.3 - kernel.1) / stride.1 + 1
        precondition(oh > 0 && ow > 0, "Conv2d: input \(h)x\(w) too small for kernel \(kernel)")
        if let residual { precondition(residual.shape == [n, outChannels, oh, ow], "Conv2d: residual shape \(residual.shape)") }
        let geometry = ConvGeometry(inChannels: inChannels, height: h, width: w, kernelH: kernel.0, kernelW: kernel.1,
                                    strideH: stride.0, strideW: stride.1, padTop: pads.0, padLeft: pads.1,
                                    outHeight: oh, outWidth: ow)
        return context.profiled(profileKind(geometry),
                                flops: 2 * Double(n * outChannels * oh * ow * (inChannels / groups) * kernel.0 * kernel.1)) {
            forward(x, residual: residual, geometry: geometry, padBottom: pads.2, padRight: pads.3, context: context)
        }
    }

    /// The kind of layer this call is for `LayerProfile`.
    func profileKind(_ geometry: ConvGeometry) -> LayerProfile.Kind {
        if isDepthwise { return .depthwise }
        if winogradWeight != nil && Winograd.suits(geometry) { return .winograd }
        if geometry.isPointwise { return .pointwise }
        if kernel == (3, 3) && stride == (1, 1) { return .conv3x3 }
        return .strided
    }

    private func forward(_ x: Tensor, residual: Tensor?, geometry: ConvGeometry, padBottom: Int, padRight: Int,
                         context: ComputeContext) -> Tensor {
        let winograd = winogradWeight != nil && Winograd.suits(geometry)
        let plan = winograd ? nil : dnnl?.plan(for: geometry, padBottom: padBottom, padRight: padRight)
        let n = x.batch, oh = geometry.outHeight, ow = geometry.outWidth
        return Tensor(shape: [n, outChannels, oh, ow]) { out in
            x.values.withUnsafeBufferPointer { input in
                weight.withUnsafeBufferPointer { wp in
                    bias.withUnsafeBufferPointer { bp in
                        let res = residual?.values
                        withOptionalPointer(res) { rp in
                            let job = ConvJob(geometry: geometry, outChannels: outChannels, groups: groups,
                                              input: input.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress!,
                                              residual: rp, output: out.baseAddress!, activation: activation)
                            if isDepthwise {
                                job.runDepthwise(batch: n, context: context)
                            } else if winograd, let winogradWeight {
                                winogradWeight.withUnsafeBufferPointer { u in
                                    context.withSingleThreadedBLAS { job.runWinograd(batch: n, weights: u.baseAddress!, context: context) }
                                }
                            } else if let plan, job.runDNNL(batch: n, plan: plan, context: context) {
                                // oneDNN did it.
                            } else {
                                context.withSingleThreadedBLAS { job.runGEMM(batch: n, context: context) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An im2col buffer; every element is written before it is read.
@inline(__always)
private func scratchBuffer(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}

@inline(__always)
private func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// Sizes of one convolution on one input size.
struct ConvGeometry {
    let inChannels: Int, height: Int, width: Int
    let kernelH: Int, kernelW: Int, strideH: Int, strideW: Int, padTop: Int, padLeft: Int
    let outHeight: Int, outWidth: Int

    var isPointwise: Bool { kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 }
    var inPlane: Int { height * width }
    var outPlane: Int { outHeight * outWidth }

    /// Writes rows `channels` (in `c*kh*kw + i*kw + j` order) of the im2col matrix for output
    /// rows `oy0..<oy1` into `cols` (leading dimension `(oy1 - oy0) * outWidth`).
    @inline(__always)
    func im2col(_ x: UnsafePointer<Float>, channels: Range<Int>, outRows: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
        let ld = outRows.count * outWidth
        var row = 0
        for c in channels {
            let plane = x + c * inPlane
            for i in 0..<kernelH {
                for j in 0..<kernelW {
                    let dst = cols + row * ld
                    // Valid output columns: 0 <= ox*s - pl + j < width.
                    let first = max(0, (padLeft - j + strideW - 1) / strideW)
                    let last = min(outWidth, (width - 1 + padLeft - j) / strideW + 1)   // exclusive
                    for (r, oy) in outRows.enumerated() {
                        let d = dst + r * outWidth
                        let iy = oy * strideH - padTop + i
                        if iy < 0 || iy >= height || first >= last {
                            d.update(repeating: 0, count: outWidth)
                            continue
                        }
                        if first > 0 { d.update(repeating: 0, count: first) }
                        let src = plane + iy * width + (first * strideW - padLeft + j)
                        if strideW == 1 {
                            (d + first).update(from: src, count: last - first)
                        } else {
                            for ox in 0..<(last - first) { d[first + ox] = src[ox * strideW] }
                        }
                        if last < outWidth { (d + last).update(repeating: 0, count: outWidth - last) }
                    }
                    row += 1
                }
            }
        }
    }
}

/// One convolution call's pointers; the parts run concurrently on disjoint output.
struct ConvJob: @unchecked Sendable {
    let geometry: ConvGeometry
    let outChannels: Int
    let groups: Int
    let input: UnsafePointer<Float>
    let weight: UnsafePointer<Float>
    let bias: UnsafePointer<Float>
    let residual: UnsafePointer<Float>?
    let output: UnsafeMutablePointer<Float>
    let activation: Activation

    /// Bias, residual and activation on output rows `channels` x columns `columns` of image `n`.
    @inline(__always)
    func epilogue(image n: Int, channels: Range<Int>, columns: Range<Int>) {
        let plane = geometry.outPlane
        for o in channels {
            let offset = (n * outChannels + o) * plane + columns.lowerBound
            let p = output + offset
            let b = bias[o]
            if let residual {
                let r = residual + offset
                for k in 0..<columns.count { p[k] += b + r[k] }
            } else if b != 0 {
                for k in 0..<columns.count { p[k] += b }
            }
            activation.apply(p, count: columns.count)
        }
    }

    /// GEMM path. How the work is cut depends only on the layer's geometry, never on the thread
    /// count or the batch, so every output value is computed by the same BLAS calls whatever
    /// `--threads` and batch size are: results are bit-identical across them.
    ///
    /// Wide layers (more output positions than channels, or an im2col matrix over the ~2 MB cache
    /// budget) are cut into items of whole output rows of one image, a multiple of
    /// `ComputeContext.partitions` per image; items go to threads in contiguous runs. Deep, small
    /// layers build each image's im2col once and split its GEMM into that many channel parts.
    func runGEMM(batch: Int, context: ComputeContext) {
        let g = geometry
        let cinG = g.inChannels / groups, coutG = outChannels / groups
        let k = cinG * g.kernelH * g.kernelW
        let cacheRows = g.isPointwise ? g.outHeight : max(1, min(g.outHeight, (1 << 19) / max(k * g.outWidth, 1)))
        let wide = g.outPlane >= 2 * coutG
        if wide || cacheRows < g.outHeight {
            let blocks = RowBlocks(rows: g.outHeight, cacheRows: cacheRows)
            context.forEachBlockRun(batch: batch, blocks: blocks) { run in
                var scratch = g.isPointwise ? [] : scratchBuffer(k * blocks.rowsPerBlock * g.outWidth)
                scratch.withUnsafeMutableBufferPointer { cols in
                    for (n, outRows) in run {
                        for grp in 0..<groups {
                            gemm(image: n, group: grp, k: k, cinG: cinG, coutG: coutG, rows: 0..<coutG, outRows: outRows,
                                 cols: g.isPointwise ? nil : cols.baseAddress)
                        }
                        epilogue(image: n, channels: 0..<outChannels,
                                 columns: (outRows.lowerBound * g.outWidth)..<(outRows.upperBound * g.outWidth))
                    }
                }
            }
            return
        }
        // Deep and small: one im2col per image, the GEMM split into fixed channel parts.
        let channelParts = max(1, min(ComputeContext.partitions, coutG / 8))
        var scratch = g.isPointwise ? [] : scratchBuffer(k * g.outPlane * groups)
        scratch.withUnsafeMutableBufferPointer { cols in
            // Pointwise convolutions read the input directly (the scratch is empty).
            let colsBase = g.isPointwise ? nil : cols.baseAddress.map { SendablePointer($0) }
            for n in 0..<batch {
                if let colsBase {
                    context.forEachRange(groups * cinG) { channels in
                        let rowOffset = channels.lowerBound * g.kernelH * g.kernelW * g.outPlane
                        g.im2col(input + n * g.inChannels * g.inPlane, channels: channels,
                                 outRows: 0..<g.outHeight, into: colsBase.base + rowOffset)
                    }
                }
                context.forEach(channelParts) { part in
                    let rows = (coutG * part / channelParts)..<(coutG * (part + 1) / channelParts)
                    for grp in 0..<groups {
                        gemm(image: n, group: grp, k: k, cinG: cinG, coutG: coutG, rows: rows,
                             outRows: 0..<g.outHeight, cols: colsBase.map { UnsafeMutablePointer($0.base + grp * k * g.outPlane) },
                             colsReady: true)
                    }
                    for grp in 0..<groups {
                        let channels = (grp * coutG + rows.lowerBound)..<(grp * coutG + rows.upperBound)
                        epilogue(image: n, channels: channels, columns: 0..<g.outPlane)
                    }
                }
            }
        }
    }

    /// `out[rows, outRows] = W[rows] * cols` for image `n` and group `grp`; `cols` is built here
    /// unless `colsReady` (nil for pointwise convolutions, which read the input directly).
    @inline(__always)
    func gemm(image n: Int, group grp: Int, k: Int, cinG: Int, coutG: Int, rows: Range<Int>, outRows: Range<Int>,
              cols: UnsafeMutablePointer<Float>?, colsReady: Bool = false) {
        let g = geometry
        let columns = outRows.count * g.outWidth
        let imageIn = input + n * g.inChannels * g.inPlane
        let b: UnsafePointer<Float>
        let ldb: Int
        if g.isPointwise {
            b = imageIn + grp * cinG * g.inPlane + outRows.lowerBound * g.outWidth
            ldb = g.inPlane
        } else {
            guard let cols else { return }
            if !colsReady {
                g.im2col(imageIn, channels: (grp * cinG)..<((grp + 1) * cinG), outRows: outRows, into: cols)
            }
            b = UnsafePointer(cols)
            ldb = columns
        }
        let a = weight + (grp * coutG + rows.lowerBound) * k
        let c = output + (n * outChannels + grp * coutG + rows.lowerBound) * g.outPlane + outRows.lowerBound * g.outWidth
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(columns), Int32(k),
                    1, a, Int32(k), b, Int32(ldb), 0, c, Int32(g.outPlane))
    }

    /// Depthwise convolution: each channel convolved with its own kernel, accumulated per tap
    /// over contiguous output rows. Channels are split across threads.
    func runDepthwise(batch: Int, context: ComputeContext) {
        let g = geometry
        if g.strideH == 1 && g.strideW == 1 && g.outHeight + g.kernelH - 1 >= g.height + g.padTop
            && g.outWidth + g.kernelW - 1 >= g.width + g.padLeft {
            runDepthwiseStride1(batch: batch, context: context)
            return
        }
        let total = batch * outChannels
        context.forEachRange(total) { range in
            for nc in range {
                let c = nc % outChannels
                let src = input + nc * g.inPlane
                let dst = output + nc * g.outPlane
                dst.update(repeating: 0, count: g.outPlane)
                let wc = weight + c * g.kernelH * g.kernelW
                for i in 0..<g.kernelH {
                    for j in 0..<g.kernelW {
                        let wv = wc[i * g.kernelW + j]
                        let first = max(0, (g.padLeft - j + g.strideW - 1) / g.strideW)
                        let last = min(g.outWidth, (g.width - 1 + g.padLeft - j) / g.strideW + 1)
                        if first >= last { continue }
                        for oy in 0..<g.outHeight {
                            let iy = oy * g.strideH - g.padTop + i
                            if iy < 0 || iy >= g.height { continue }
                            let s = src + iy * g.width + (first * g.strideW - g.padLeft + j)
                            let d = dst + oy * g.outWidth + first
                            if g.strideW == 1 {
                                for ox in 0..<(last - first) { d[ox] += wv * s[ox] }
                            } else {
                                for ox in 0..<(last - first) { d[ox] += wv * s[ox * g.strideW] }
                            }
                        }
                    }
                }
                let n = nc / outChannels
                epilogue(image: n, channels: c..<(c + 1), columns: 0..<g.outPlane)
            }
        }
    }
}
