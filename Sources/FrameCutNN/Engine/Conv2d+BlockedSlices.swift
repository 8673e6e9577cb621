import CDNNL
import Foundation
import FrameCutCore

/// The blocked oneDNN convolution (`Conv2d+Blocked`) reading a channel slice of a larger tensor
/// and writing its output into a channel slice of another, in place. In `nChw16c` the channels
/// of a slice that starts on a 16-channel block boundary are one contiguous run per image, so a
/// primitive made for `inChannels` in and `outChannels` out reads and writes them directly at an
/// offset: Inception's branches read their part of the merged leading 1x1 convolution without a
/// split copy and write their last convolution's output straight into the concatenation.
/// Same plans, same parts, same primitives as `callAsFunction(_: BlockedTensor, ...)`, so the
/// values are the same bits as the copy path's.
extension Conv2d {
    /// Runs the layer on channels `sourceOffset ..< sourceOffset + inChannels` of `source` and
    /// writes `activation(conv + bias)` into channels `targetOffset ..< targetOffset + outChannels`
    /// of `target` (same batch, the layer's output plane). Both slices must satisfy
    /// `BlockedTensor.isBlockSlice`. False, with `target` untouched, when the layer has no blocked
    /// plan for this input (the caller then computes it on the copy path); a oneDNN error while
    /// running (which the library only reports for invalid arguments, checked before any write)
    /// also gives false.
    func blockedRun(_ source: BlockedTensor, channelOffset sourceOffset: Int = 0, into target: inout BlockedTensor,
                    at targetOffset: Int, context: ComputeContext = ComputeContext()) -> Bool {
        precondition(BlockedTensor.isBlockSlice(offset: sourceOffset, count: inChannels, of: source.channels)
                     && BlockedTensor.isBlockSlice(offset: targetOffset, count: outChannels, of: target.channels),
                     "Conv2d: channel slices \(sourceOffset)+\(inChannels) of \(source.channels) -> \(targetOffset)+\(outChannels) of \(target.channels) are not whole blocks")
        let h = source.height, w = source.width
        let pads = padding.resolve(height: h, width: w, kernel: kernel, stride: stride)
        let (oh, ow) = outputSize(height: h, width: w)
        precondition(target.batch == source.batch && target.height == oh && target.width == ow,
                     "Conv2d: target \(target.batch)x\(target.height)x\(target.width), output \(source.batch)x\(oh)x\(ow)")
        let geometry = ConvGeometry(inChannels: inChannels, height: h, width: w, kernelH: kernel.0, kernelW: kernel.1,
                                    strideH: stride.0, strideW: stride.1, padTop: pads.0, padLeft: pads.1,
                                    outHeight: oh, outWidth: ow)
        guard let layer = blocked,
              let plan = layer.plan(for: geometry, padBottom: pads.2, padRight: pads.3, sum: false) else { return false }
        let batch = source.batch, inPlane = h * w, outPlane = oh * ow
        let inCount = source.imageCount, outCount = target.imageCount
        // A depthwise part reads only its own channel blocks.
        let sourceStride = layer.isDepthwise ? BlockedTensor.block * inPlane : 0
        let flops = 2 * Double(batch * outChannels * outPlane * (inChannels / groups) * kernel.0 * kernel.1)
        return context.profiled(profileKind(geometry), flops: flops) {
            var ok = true
            source.values.withUnsafeBufferPointer { src in
                target.values.withUnsafeMutableBufferPointer { dst in
                    guard let s = src.baseAddress, let d = dst.baseAddress else { ok = false; return }
                    let input = SendablePointer(UnsafeMutablePointer(mutating: s + sourceOffset * inPlane))
                    let output = SendablePointer(d + targetOffset * outPlane)
                    let failures = UncheckedSendable(SendableFlag())
                    for n in 0..<batch {
                        context.forEach(plan.blocks.count) { p in
                            let first = plan.blocks[p].lowerBound
                            var scratch = [Float](unsafeUninitializedCapacity: plan.scratchCounts[p]) { _, k in
                                k = plan.scratchCounts[p]
                            }
                            let done = scratch.withUnsafeMutableBufferPointer { sp in
                                sp.baseAddress.map {
                                    plan.run(part: p, source: input.base + n * inCount + first * sourceStride,
                                             target: output.base + n * outCount + first * BlockedTensor.block * outPlane,
                                             scratch: $0)
                                } ?? false
                            }
                            if !done { failures.value.set() }
                        }
                    }
                    ok = !failures.value.isSet
                }
            }
            return ok
        }
    }
}

/// A flag set from any thread (a failed oneDNN part).
private final class SendableFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
