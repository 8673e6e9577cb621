import Foundation

/// Estimates and checks memory before large allocations, so that a run that cannot fit
/// stops at once with a clear message instead of being killed by the kernel.
public enum MemoryBudget {
    /// Physical memory of this machine in bytes.
    public static var physicalMemory: UInt64 { ProcessInfo.processInfo.physicalMemory }

    /// The default limit: 90% of physical memory.
    public static var defaultLimit: UInt64 { physicalMemory / 10 * 9 }

    /// Throws `memoryLimitExceeded` when `bytes` exceeds `limit`.
    public static func check(_ bytes: UInt64, limit: UInt64, what: String) throws {
        if bytes > limit { throw FrameCutError.memoryLimitExceeded(needed: bytes, limit: limit, what: what) }
    }

    /// Bytes as a short human string ("1.5 GiB").
    public static func format(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// Parses sizes like "4G", "512M", "2GiB", "1000000" (bytes).
    public static func parse(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let suffixes: [(String, UInt64)] = [("TIB", 1 << 40), ("GIB", 1 << 30), ("MIB", 1 << 20), ("KIB", 1 << 10),
                                            ("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10),
                                            ("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1)]
        for (suffix, factor) in suffixes where trimmed.hasSuffix(suffix) {
            guard let number = Double(trimmed.dropLast(suffix.count)), number >= 0 else { return nil }
            return UInt64(number * Double(factor))
        }
        return UInt64(trimmed)
    }

    /// Peak resident memory of this process so far (VmHWM on Linux), in bytes.
    public static func peakResidentBytes() -> UInt64 {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kb = UInt64(parts[1]) { return kb * 1024 }
        }
        return 0
    }
}
