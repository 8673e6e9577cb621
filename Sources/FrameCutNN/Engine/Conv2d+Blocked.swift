import CDNNL
import Foundation
import FrameCutCore

/// oneDNN's convolution on activations carried in the blocked layout (`BlockedTensor`,
/// `nChw16c`), bias and activation (ReLU or none) and the residual sum fused into the kernel's
/// store: no layout change, no im2col and no separate epilogue pass per layer. Networks whose
/// convolutions all take it (ResNet-50's bottleneck stages) convert to the layout once after the
/// stem and back once before the pooled embedding.
///
/// Each layer and input size gets a `Plan`, created once: the output channel blocks cut into at
/// most `ComputeContext.partitions` fixed parts of whole 16-channel blocks, one oneDNN
/// primitive per part with its weights packed into the primitive's layout. In `nChw16c` one
/// image's channel blocks are contiguous, so each part writes its own range of the output
/// directly. Determinism as on the plain oneDNN path: every primitive is created and run with
/// one OpenMP thread on one image, and the parts depend only on the layer's shape.
final class DNNLBlockedConvolution: @unchecked Sendable {
    private let weight: [Float]
    private let bias: [Float]
    private let inChannels: Int, outChannels: Int
    private let kernel: (Int, Int), stride: (Int, Int)
    /// 0 identity, 1 ReLU, 2 ReLU6 (the C side's code).
    private let activationCode: Int32
    /// One group per channel: part `p` reads only its own channel blocks of the input.
    let isDepthwise: Bool
    private let plans = DNNLPlanCache<PlanKey, Plan>()

    /// Fewest output channels per part. One part per layer measured no faster on one thread
    /// (ResNet-50: 96 against 92 ms), so even 64-channel layers keep four parts for the threads.
    static let channelsPerPart = BlockedTensor.block

    /// Parts of a layer with `outChannels` outputs: one per 16-channel block (the last one may
    /// be partly padding), at most `ComputeContext.partitions`. A 24-channel layer (two blocks,
    /// EfficientNet-Lite0's second stage) gets two parts, so both threads work on it at batch 1;
    /// it depends on the shape only, never on the thread count.
    static func partCount(outChannels: Int) -> Int {
        max(1, min(ComputeContext.partitions, (outChannels + channelsPerPart - 1) / channelsPerPart))
    }

    /// nil when oneDNN is off or the layer is not one the path takes (grouped layers other than
    /// depthwise ones, activations other than ReLU, ReLU6 and identity).
    init?(weight: [Float], bias: [Float], inChannels: Int, outChannels: Int, kernel: (Int, Int), stride: (Int, Int),
          groups: Int, activation: Activation) {
        let depthwise = groups > 1 && groups == inChannels && groups == outChannels
        let codes: [Activation: Int32] = [.identity: 0, .relu: 1, .relu6: 2]
        guard DNNLConvolution.isEnabled, groups == 1 || depthwise, let code = codes[activation] else { return nil }
        activationCode = code
        isDepthwise = depthwise
        self.weight = weight
        self.bias = bias
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
    }

    private struct PlanKey: Hashable {
        let height: Int, width: Int, pads: [Int], sum: Bool, plainSource: Bool
    }

    /// The primitives for one input size; destroyed with the plan.
    final class Plan: @unchecked Sendable {
        fileprivate var parts: [framecut_dnnl_bconv]
        /// Output channel blocks of each part.
        let blocks: [Range<Int>]
        let scratchCounts: [Int]
        let engine: dnnl_engine_t

        fileprivate init(parts: [framecut_dnnl_bconv], blocks: [Range<Int>], engine: dnnl_engine_t) {
            self.parts = parts
            self.blocks = blocks
            self.engine = engine
            scratchCounts = parts.map { max(1, (framecut_dnnl_bconv_scratch_bytes([$0]) + 3) / 4) }
        }

        /// oneDNN's name for each part's implementation (tests check no reference kernel runs).
        var implementations: [String] {
            parts.map { part in framecut_dnnl_bconv_implementation([part]).map { String(cString: $0) } ?? "" }
        }

        deinit {
            for i in parts.indices { framecut_dnnl_bconv_destroy(&parts[i]) }
        }
    }

    /// The plan for `geometry`, created on first use; nil when oneDNN refuses the layer.
    /// `plainSource`: the input is plain NCHW (the network's input image), not blocked.
    func plan(for g: ConvGeometry, padBottom: Int, padRight: Int, sum: Bool, plainSource: Bool = false) -> Plan? {
        plans.plan(for: PlanKey(height: g.height, width: g.width, pads: [g.padTop, g.padLeft, padBottom, padRight], sum: sum,
                                plainSource: plainSource), make: makePlan)
    }

    /// Whether oneDNN's Winograd algorithm is tried first (the direct kernels when oneDNN has
    /// none for the shape): 3x3 stride-1 layers on a blocked source, whole 16-channel blocks in
    /// and out. oneDNN picks F(4x4, 3x3) (`jit_wino_4x3`) on wide planes and F(2x2, 3x3)
    /// (`jit_fp32_wino_2x3`) on small ones; both do 2.25-4 times fewer multiplications than the
    /// direct kernels and measured 2-4 times faster on VGG19-BN's layers (docs/models.md).
    /// `FRAMECUT_ONEDNN_WINOGRAD=0` keeps every layer on the direct kernels (for comparisons).
    private func usesWinograd(_ key: PlanKey, partChannels: Int) -> Bool {
        Self.winogradEnabled && !isDepthwise && !key.plainSource && kernel == (3, 3) && stride == (1, 1)
            && inChannels % BlockedTensor.block == 0 && partChannels % BlockedTensor.block == 0
    }

    private static let winogradEnabled = ProcessInfo.processInfo.environment["FRAMECUT_ONEDNN_WINOGRAD"] != "0"

    private func makePlan(_ key: PlanKey) -> Plan? {
        guard let engine = DNNLConvolution.engineHandle else { return nil }
        let block = BlockedTensor.block
        let totalBlocks = (outChannels + block - 1) / block
        let count = Self.partCount(outChannels: outChannels)
        let perOut = (isDepthwise ? 1 : inChannels) * kernel.0 * kernel.1
        var parts: [framecut_dnnl_bconv] = []
        var ranges: [Range<Int>] = []
        var ok = true
        weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                key.pads.map(Int64.init).withUnsafeBufferPointer { pads in
                    for p in 0..<count {
                        let blocks = (totalBlocks * p / count)..<(totalBlocks * (p + 1) / count)
                        let first = blocks.lowerBound * block, last = min(outChannels, blocks.upperBound * block)
                        guard last > first, let wBase = w.baseAddress, let bBase = b.baseAddress else { continue }
                        var part = framecut_dnnl_bconv()
                        let partIn = isDepthwise ? last - first : inChannels
                        func create(winograd: Bool) -> dnnl_status_t {
                            framecut_dnnl_bconv_create(engine, Int64(partIn), Int64(last - first), Int64(key.height),
                                                       Int64(key.width), Int64(kernel.0), Int64(kernel.1), Int64(stride.0),
                                                       Int64(stride.1), pads.baseAddress, wBase + first * perOut,
                                                       bBase + first, activationCode, key.sum ? 1 : 0,
                                                       key.plainSource ? 1 : 0, isDepthwise ? 1 : 0, winograd ? 1 : 0, &part)
                        }
                        // Winograd where oneDNN has it for the part's shape, else the direct kernels.
                        var status = dnnl_status_t(rawValue: 1)
                        if usesWinograd(key, partChannels: last - first) { status = create(winograd: true) }
                        if status != dnnl_success { status = create(winograd: false) }
                        guard status == dnnl_success else { ok = false; break }
                        parts.append(part)
                        ranges.append(blocks)
                    }
                }
            }
        }
        let plan = Plan(parts: parts, blocks: ranges, engine: engine)
        return ok && !parts.isEmpty ? plan : nil
    }
}

extension Conv2d {
    /// `activation(conv(x) + bias + residual)` on blocked activations: oneDNN's fused kernels
    /// where the layer takes that path, else the plain path between two layout conversions.
    func callAsFunction(_ x: BlockedTensor, residual: BlockedTensor? = nil,
                        context: ComputeContext = ComputeContext()) -> BlockedTensor {
        precondition(x.channels == inChannels, "Conv2d: blocked input of \(x.channels) channels, expected \(inChannels)")
        return x.values.withUnsafeBufferPointer { src in
            blockedForward(src, batch: x.batch, height: x.height, width: x.width, imageCount: x.imageCount, plainSource: false,
                           residual: residual, context: context) { self(x.tensor(), residual: residual?.tensor(), context: context) }
        }
    }

    /// The layer on a plain NCHW input (a network's first layer), its output in the blocked layout.
    func blocked(_ x: Tensor, context: ComputeContext = ComputeContext()) -> BlockedTensor {
        precondition(x.rank == 4 && x.channels == inChannels, "Conv2d: input \(x.shape), expected \(inChannels) channels")
        return x.values.withUnsafeBufferPointer { src in
            blockedForward(src, batch: x.batch, height: x.height, width: x.width, imageCount: inChannels * x.height * x.width,
                           plainSource: true, residual: nil, context: context) { self(x, context: context) }
        }
    }

    /// Runs the blocked plan on `batch` images of `imageCount` values at `input`; `plain`
    /// computes the same on the plain path when oneDNN has no plan or fails.
    private func blockedForward(_ input: UnsafeBufferPointer<Float>, batch: Int, height h: Int, width w: Int, imageCount inCount: Int,
                                plainSource: Bool, residual: BlockedTensor?, context: ComputeContext,
                                plain: () -> Tensor) -> BlockedTensor {
        let pads = padding.resolve(height: h, width: w, kernel: kernel, stride: stride)
        let oh = (h + pads.0 + pads.2 - kernel.0) / stride.0 + 1
        let ow = (w + pads.1 + pads.3 - kernel.1) / stride.1 + 1
        precondition(oh > 0 && ow > 0, "Conv2d: input \(h)x\(w) too small for kernel \(kernel)")
        if let residual {
            precondition(residual.batch == batch && residual.channels == outChannels && residual.height == oh
                         && residual.width == ow, "Conv2d: residual shape does not match the output")
        }
        let geometry = ConvGeometry(inChannels: inChannels, height: h, width: w, kernelH: kernel.0, kernelW: kernel.1,
                                    strideH: stride.0, strideW: stride.1, padTop: pads.0, padLeft: pads.1,
                                    outHeight: oh, outWidth: ow)
        guard let plan = blocked?.plan(for: geometry, padBottom: pads.2, padRight: pads.3, sum: residual != nil,
                                       plainSource: plainSource),
              let s = input.baseAddress else { return BlockedTensor(plain()) }
        return context.profiled(profileKind(geometry),
                                flops: 2 * Double(batch * outChannels * oh * ow * (inChannels / groups) * kernel.0 * kernel.1)) {
            // The residual is copied into the output part by part, inside each part (in
            // parallel, and while its slice is about to be read again): assigning it to `out`
            // and writing would copy the whole tensor on the calling thread first (it is
            // still referenced by the block's input).
            var out = BlockedTensor(batch: batch, channels: outChannels, height: oh, width: ow) { _ in }
            let outCount = out.imageCount, outPlane = oh * ow
            // A depthwise part reads only its own channel blocks.
            let sourceStride = blocked?.isDepthwise == true ? BlockedTensor.block * h * w : 0
            var failed = false
            out.values.withUnsafeMutableBufferPointer { dst in
                guard let d = dst.baseAddress else { return }
                let source = SendablePointer(UnsafeMutablePointer(mutating: s)), target = SendablePointer(d)
                let failures = UncheckedSendable(NSLock())
                let sum = residual.map { UncheckedSendable($0) }
                for n in 0..<batch {
                    context.forEach(plan.blocks.count) { p in
                        let first = n * outCount + plan.blocks[p].lowerBound * BlockedTensor.block * outPlane
                        if let sum {
                            let count = plan.blocks[p].count * BlockedTensor.block * outPlane
                            sum.value.values.withUnsafeBufferPointer { r in
                                guard let rBase = r.baseAddress else { return }
                                (target.base + first).update(from: rBase + first, count: count)
                            }
                        }
                        var scratch = [Float](unsafeUninitializedCapacity: plan.scratchCounts[p]) { _, k in
                            k = plan.scratchCounts[p]
                        }
                        let status = scratch.withUnsafeMutableBufferPointer { sp in
                            withUnsafePointer(to: plan.parts[p]) { part in
                                framecut_dnnl_bconv_run(part, plan.engine,
                                                        source.base + n * inCount + plan.blocks[p].lowerBound * sourceStride,
                                                        target.base + first, sp.baseAddress)
                            }
                        }
                        if status != dnnl_success {
                            failures.value.lock()
                            failed = true
                            failures.value.unlock()
                        }
                    }
                }
            }
            return failed ? BlockedTensor(plain()) : out
        }
    }
}

extension DNNLBlockedConvolution.Plan {
    /// Runs part `p` on one image: `source` that image's input (all input channels, blocked or
    /// plain as the plan was made), `target` the first value of the part's first output channel
    /// block; `scratch` at least `scratchCounts[p]` floats. False when oneDNN reports an error.
    /// (Used by `Conv2d+BlockedSlices`, which reads and writes channel slices of larger tensors.)
    func run(part p: Int, source: UnsafePointer<Float>, target: UnsafeMutablePointer<Float>,
             scratch: UnsafeMutablePointer<Float>) -> Bool {
        withUnsafePointer(to: parts[p]) { part in
            framecut_dnnl_bconv_run(part, engine, source, target, scratch) == dnnl_success
        }
    }
}
