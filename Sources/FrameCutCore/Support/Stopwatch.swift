import Foundation

/// Wall-clock timing for the stages of a run.
public struct Stopwatch: Sendable {
    private var start = DispatchTime.now().uptimeNanoseconds
    public init() {}
    /// Seconds since creation or the last `restart()`.
    public var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    public mutating func restart() { start = DispatchTime.now().uptimeNanoseconds }
}
