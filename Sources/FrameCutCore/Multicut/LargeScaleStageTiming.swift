import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock and process CPU seconds of one stage of the large-scale solver. The CPU seconds
/// (user + system of the whole process, all threads, from `getrusage`) let a run on a loaded
/// machine be read as the time a quiet one would take: a stage spread over `t` threads takes
/// about `cpuSeconds / t` wall seconds when nothing else runs.
public struct LargeScaleStageTiming: Sendable, Codable, Equatable {
    /// The stage ("range + kNN", "GAEC", "exact energy", ...).
    public let name: String
    public let seconds: Double
    public let cpuSeconds: Double

    public init(name: String, seconds: Double, cpuSeconds: Double) {
        self.name = name
        self.seconds = seconds
        self.cpuSeconds = cpuSeconds
    }

    /// User + system CPU seconds this process has used so far (all threads).
    public static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Records consecutive stages: each `lap(_:)` closes the stage that ran since the last one.
    struct Recorder {
        private(set) var stages: [LargeScaleStageTiming] = []
        private var clock = Stopwatch()
        private var cpu = LargeScaleStageTiming.processCPUSeconds()

        /// Closes a stage and returns its wall seconds.
        @discardableResult
        mutating func lap(_ name: String) -> Double {
            let now = LargeScaleStageTiming.processCPUSeconds()
            let seconds = clock.seconds
            stages.append(LargeScaleStageTiming(name: name, seconds: seconds, cpuSeconds: now - cpu))
            cpu = now
            clock.restart()
            return seconds
        }

        func seconds(_ names: String...) -> Double {
            stages.filter { names.contains($0.name) }.reduce(0) { $0 + $1.seconds }
        }
    }
}
