import CDNNL
import Foundation
import FrameCutCore

/// oneDNN's direct convolution (Debian `libdnnl` 2.6, its AVX-512 `brgconv` kernels) behind
/// `Conv2d`, for every convolution with `groups == 1` that is neither 1x1 stride 1 (those stay one
/// SGEMM straight on the input: with the two layout changes per layer counted, oneDNN measured no
/// faster on ResNet-50's 1x1 layers of any plane size) nor taken by Winograd (wide 3x3 layers,
/// where F(2x2, 3x3) does 2.25 times less work and measured faster on VGG19-BN).
///
/// Each layer and input size gets a `Plan`, created once: the output channels cut into
/// `ComputeContext.partitions` fixed parts, one oneDNN primitive per part with its weights packed
/// into the primitive's blocked layout. One image runs as: the plain NCHW input reordered once
/// into the blocked source layout, then each part (concurrently on the threads) convolves it and
/// reorders its channels back into the NCHW output, where `ConvJob.epilogue` adds bias and
/// residual and applies the activation as on every other path.
///
/// Determinism: every primitive is created and run with one OpenMP thread and a batch of one
/// image, and the parts depend only on the layer's shape, so each output value is computed by the
/// same kernel calls for every thread count and batch size, as on the SGEMM paths.
///
/// `FRAMECUT_ONEDNN=0` in the environment turns the path off (the SGEMM / Winograd paths run
/// instead), for comparisons; so does a oneDNN that cannot create its CPU engine or a primitive.
final class DNNLConvolution: @unchecked Sendable {
    /// The weights of every part, in output-channel order (PyTorch layout, batch norm folded).
    private let weight: [Float]
    private let inChannels: Int, outChannels: Int
    private let kernel: (Int, Int), stride: (Int, Int)
    private let plans = DNNLPlanCache<PlanKey, Plan>()

    /// Whether the path is on: oneDNN has an engine and `FRAMECUT_ONEDNN` is not `0`.
    static var isEnabled: Bool { engine.value != nil }

    /// The process's oneDNN CPU engine (nil when the path is off).
    static var engineHandle: dnnl_engine_t? { engine.value }

    private static let engine: UncheckedSendable<dnnl_engine_t?> = {
        if ProcessInfo.processInfo.environment["FRAMECUT_ONEDNN"] == "0" { return UncheckedSendable(nil) }
        return UncheckedSendable(framecut_dnnl_engine_create())
    }()

    /// nil when the path is off or the layer is not one it takes.
    init?(weight: [Float], inChannels: Int, outChannels: Int, kernel: (Int, Int), stride: (Int, Int), groups: Int) {
        guard Self.isEnabled, groups == 1, kernel != (1, 1) || stride != (1, 1) else { return nil }
        self.weight = weight
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
    }

    private struct PlanKey: Hashable {
        let height: Int, width: Int, pads: [Int]
    }

    /// The primitives for one input size; destroyed with the plan.
    final class Plan: @unchecked Sendable {
        fileprivate var parts: [framecut_dnnl_conv]
        /// Output channels of each part.
        let channels: [Range<Int>]
        let sourceBytes: Int
        let engine: dnnl_engine_t

        fileprivate init(parts: [framecut_dnnl_conv], channels: [Range<Int>], engine: dnnl_engine_t) {
            self.parts = parts
            self.channels = channels
            self.engine = engine
            sourceBytes = parts.first.map { framecut_dnnl_src_bytes([$0]) } ?? 0
        }

        deinit {
            for i in parts.indices { framecut_dnnl_conv_destroy(&parts[i]) }
        }
    }

    /// The plan for `geometry`, created on first use; nil when oneDNN refuses the layer (the
    /// caller then takes the SGEMM path).
    func plan(for g: ConvGeometry, padBottom: Int, padRight: Int) -> Plan? {
        plans.plan(for: PlanKey(height: g.height, width: g.width, pads: [g.padTop, g.padLeft, padBottom, padRight]),
                   make: makePlan)
    }

    private func makePlan(_ key: PlanKey) -> Plan? {
        guard let engine = Self.engine.value else { return nil }
        let count = max(1, min(ComputeContext.partitions, outChannels))
        let perOut = inChannels * kernel.0 * kernel.1
        var parts: [framecut_dnnl_conv] = []
        var channels: [Range<Int>] = []
        var ok = true
        weight.withUnsafeBufferPointer { w in
            key.pads.map(Int64.init).withUnsafeBufferPointer { pads in
                for p in 0..<count {
                    let range = (outChannels * p / count)..<(outChannels * (p + 1) / count)
                    var part = framecut_dnnl_conv()
                    let status = framecut_dnnl_conv_create(engine, Int64(inChannels), Int64(range.count), Int64(key.height),
                                                           Int64(key.width), Int64(kernel.0), Int64(kernel.1), Int64(stride.0),
                                                           Int64(stride.1), pads.baseAddress, w.baseAddress.map { $0 + range.lowerBound * perOut },
                                                           &part)
                    guard status == dnnl_success else { ok = false; break }
                    parts.append(part)
                    channels.append(range)
                }
            }
        }
        // One packed source must serve every part.
        if let first = parts.first, !parts.allSatisfy({ framecut_dnnl_same_source([first], [$0]) != 0 }) { ok = false }
        let plan = Plan(parts: parts, channels: channels, engine: engine)
        return ok ? plan : nil
    }
}

extension ConvJob {
    /// The oneDNN path (see `DNNLConvolution`): per image, one source reorder, then the output
    /// channel parts on the threads, each followed by the epilogue of its channels. Returns false
    /// (having written nothing useful) if oneDNN reports an error, so the caller can fall back.
    func runDNNL(batch: Int, plan: DNNLConvolution.Plan, context: ComputeContext) -> Bool {
        let g = geometry
        let sourceCount = (plan.sourceBytes + 3) / 4
        var source = [Float](unsafeUninitializedCapacity: sourceCount) { _, n in n = sourceCount }
        var ok = true
        source.withUnsafeMutableBufferPointer { src in
            guard let srcBase = src.baseAddress else { ok = false; return }
            for n in 0..<batch where ok {
                let image = input + n * g.inChannels * g.inPlane
                // Every part reads the same source layout (same input, same kernel); pack it once.
                let packed = plan.parts.withUnsafeBufferPointer { parts in
                    framecut_dnnl_conv_pack_source(parts.baseAddress, plan.engine, image, srcBase)
                }
                guard packed == dnnl_success else { ok = false; return }
                let failures = UncheckedSendable(NSLock())
                var failed = false
                let sharedSource = SendablePointer(srcBase)
                context.forEach(plan.channels.count) { p in
                    let part = plan.parts[p]
                    let dstCount = (framecut_dnnl_dst_bytes([part]) + 3) / 4
                    let scratchCount = max(1, (framecut_dnnl_scratch_bytes([part]) + 3) / 4)
                    var dst = [Float](unsafeUninitializedCapacity: dstCount) { _, k in k = dstCount }
                    var scratch = [Float](unsafeUninitializedCapacity: scratchCount) { _, k in k = scratchCount }
                    let channels = plan.channels[p]
                    let status = dst.withUnsafeMutableBufferPointer { d in
                        scratch.withUnsafeMutableBufferPointer { s in
                            withUnsafePointer(to: part) { partPointer in
                                framecut_dnnl_conv_run(partPointer, plan.engine, sharedSource.base,
                                                       output + (n * outChannels + channels.lowerBound) * g.outPlane,
                                                       d.baseAddress, s.baseAddress)
                            }
                        }
                    }
                    if status != dnnl_success {
                        failures.value.lock()
                        failed = true
                        failures.value.unlock()
                        return
                    }
                    epilogue(image: n, channels: channels, columns: 0..<g.outPlane)
                }
                if failed { ok = false }
            }
        }
        return ok
    }
}
