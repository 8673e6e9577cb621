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
    private let relu: Bool
    private let lock = NSLock()
    private var plans: [PlanKey: Plan?] = [:]

    /// Fewest output channels per part (`FRAMECUT_BLOCKED_PART`, for measurements; default 16).
    static let channelsPerPart: Int = {
        let value = ProcessInfo.processInfo.environment["FRAMECUT_BLOCKED_PART"].flatMap(Int.init) ?? 16
        return max(BlockedTensor.block, value / BlockedTensor.block * BlockedTensor.block)
    }()

    /// nil when oneDNN is off or the layer is not one the path takes (grouped layers,
    /// activations other than ReLU and identity).
    init?(weight: [Float], bias: [Float], inChannels: Int, outChannels: Int, kernel: (Int, Int), stride: (Int, Int),
          groups: Int, activation: Activation) {
        guard DNNLConvolution.isEnabled, groups == 1, activation == .relu || activation == .identity else { return nil }
        self.weight = weight
        self.bias = bias
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        relu = activation == .relu
    }

    private struct PlanKey: Hashable {
        let height: Int, width: Int, pads: [Int], sum: Bool
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
    func plan(for g: ConvGeometry, padBottom: Int, padRight: Int, sum: Bool) -> Plan? {
        let key = PlanKey(height: g.height, width: g.width, pads: [g.padTop, g.padLeft, padBottom, padRight], sum: sum)
        lock.lock()
        defer { lock.unlock() }
        if let cached = plans[key] { return cached }
        let plan = makePlan(key)
        plans[key] = .some(plan)
        return plan
    }

    private func makePlan(_ key: PlanKey) -> Plan? {
        guard let engine = DNNLConvolution.engineHandle else { return nil }
        let block = BlockedTensor.block
        let totalBlocks = (outChannels + block - 1) / block
        let count = max(1, min(ComputeContext.partitions, outChannels / Self.channelsPerPart))
        let perOut = inChannels * kernel.0 * kernel.1
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
                        let status = framecut_dnnl_bconv_create(engine, Int64(inChannels), Int64(last - first), Int64(key.height),
                                                                Int64(key.width), Int64(kernel.0), Int64(kernel.1), Int64(stride.0),
                                                                Int64(stride.1), pads.baseAddress, wBase + first * perOut,
                                                                bBase + first, relu ? 1 : 0, key.sum ? 1 : 0, &part)
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
        let h = x.height, w = x.width
        let pads = padding.resolve(height: h, width: w, kernel: kernel, stride: stride)
        let oh = (h + pads.0 + pads.2 - kernel.0) / stride.0 + 1
        let ow = (w + pads.1 + pads.3 - kernel.1) / stride.1 + 1
        precondition(oh > 0 && ow > 0, "Conv2d: input \(h)x\(w) too small for kernel \(kernel)")
        if let residual {
            precondition(residual.batch == x.batch && residual.channels == outChannels && residual.height == oh
                         && residual.width == ow, "Conv2d: residual shape does not match the output")
        }
        let geometry = ConvGeometry(inChannels: inChannels, height: h, width: w, kernelH: kernel.0, kernelW: kernel.1,
                                    strideH: stride.0, strideW: stride.1, padTop: pads.0, padLeft: pads.1,
                                    outHeight: oh, outWidth: ow)
        guard let plan = blocked?.plan(for: geometry, padBottom: pads.2, padRight: pads.3, sum: residual != nil) else {
            return BlockedTensor(self(x.tensor(), residual: residual?.tensor(), context: context))
        }
        return context.profiled(profileKind(geometry),
                                flops: 2 * Double(x.batch * outChannels * oh * ow * inChannels * kernel.0 * kernel.1)) {
            var out = residual ?? BlockedTensor(batch: x.batch, channels: outChannels, height: oh, width: ow) { _ in }
            let inCount = x.imageCount, outCount = out.imageCount, outPlane = oh * ow
            var failed = false
            x.values.withUnsafeBufferPointer { src in
                out.values.withUnsafeMutableBufferPointer { dst in
                    guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                    let source = SendablePointer(UnsafeMutablePointer(mutating: s)), target = SendablePointer(d)
                    let failures = UncheckedSendable(NSLock())
                    for n in 0..<x.batch {
                        context.forEach(plan.blocks.count) { p in
                            var scratch = [Float](unsafeUninitializedCapacity: plan.scratchCounts[p]) { _, k in
                                k = plan.scratchCounts[p]
                            }
                            let status = scratch.withUnsafeMutableBufferPointer { sp in
                                withUnsafePointer(to: plan.parts[p]) { part in
                                    framecut_dnnl_bconv_run(part, plan.engine, source.base + n * inCount,
                                                            target.base + n * outCount
                                                                + plan.blocks[p].lowerBound * BlockedTensor.block * outPlane,
                                                            sp.baseAddress)
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
            }
            if failed { return BlockedTensor(self(x.tensor(), residual: residual?.tensor(), context: context)) }
            return out
        }
    }
}
