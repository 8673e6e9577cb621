import Dispatch
import Foundation

/// Time and arithmetic of forward passes per kind of layer, for `framecut bench models --profile`.
///
/// Attach one to a `ComputeContext` (`context.profile`); each profiled layer then adds its wall
/// time and floating-point operations (2 per multiply-add) to its kind. Profiling only measures:
/// it changes no result. Safe to share between the threads of one forward pass.
public final class LayerProfile: @unchecked Sendable {
    /// The layer kinds the profile tells apart.
    public enum Kind: String, CaseIterable, Sendable {
        /// 1x1 stride-1 convolutions (one SGEMM straight on the input).
        case pointwise = "conv 1x1"
        /// 3x3 stride-1 convolutions through im2col + SGEMM.
        case conv3x3 = "conv 3x3"
        /// 3x3 stride-1 convolutions through Winograd F(2x2, 3x3) (work counted as direct).
        case winograd = "conv 3x3 winograd"
        /// Strided convolutions and other kernel sizes (im2col + SGEMM).
        case strided = "conv strided/other"
        /// Depthwise convolutions (direct loops).
        case depthwise = "conv depthwise"
        /// Fully connected layers.
        case fullyConnected = "fully connected"
        /// Attention heads: scores, softmax and the product with the values (projections excluded).
        case attention = "attention"
    }

    /// One kind's totals.
    public struct Entry: Sendable {
        public var calls = 0
        /// Wall time.
        public var seconds = 0.0
        /// CPU time of the calling thread (all of a layer's time when it runs on one thread).
        public var cpuSeconds = 0.0
        public var flops = 0.0
    }

    private let lock = NSLock()
    private var entries: [Kind: Entry] = [:]

    public init() {}

    /// Adds one layer call.
    public func record(_ kind: Kind, flops: Double, seconds: Double, cpuSeconds: Double) {
        lock.lock()
        defer { lock.unlock() }
        entries[kind, default: Entry()].calls += 1
        entries[kind, default: Entry()].seconds += seconds
        entries[kind, default: Entry()].cpuSeconds += cpuSeconds
        entries[kind, default: Entry()].flops += flops
    }

    /// CPU seconds of the calling thread so far.
    public static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// CPU seconds of the whole process so far (all threads).
    public static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// The totals so far, by kind.
    public var snapshot: [Kind: Entry] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }

    /// Forgets everything recorded.
    public func reset() {
        lock.lock()
        defer { lock.unlock() }
        entries = [:]
    }
}

extension ComputeContext {
    /// Runs `body`, adding its wall time and `flops` to `kind` when the context carries a profile.
    @inline(__always)
    public func profiled<T>(_ kind: @autoclosure () -> LayerProfile.Kind, flops: @autoclosure () -> Double,
                            _ body: () -> T) -> T {
        guard let profile else { return body() }
        let start = DispatchTime.now().uptimeNanoseconds, cpu = LayerProfile.threadCPUSeconds()
        let result = body()
        profile.record(kind(), flops: flops(), seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                       cpuSeconds: LayerProfile.threadCPUSeconds() - cpu)
        return result
    }
}
