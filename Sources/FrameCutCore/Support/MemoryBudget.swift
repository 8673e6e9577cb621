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

    /// The product of non-negative `factors` (counts and element sizes), or nil when one is
    /// negative or the product overflows 64 bits. Use it for every size read from a file or flag.
    public static func product(_ factors: [Int]) -> UInt64? {
        var result: UInt64 = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (value, overflow) = result.multipliedReportingOverflow(by: UInt64(factor))
            if overflow { return nil }
            result = value
        }
        return result
    }

    /// The sum of byte counts, saturating at `UInt64.max` instead of overflowing.
    public static func sum(_ values: UInt64...) -> UInt64 {
        var total: UInt64 = 0
        for value in values {
            let (next, overflow) = total.addingReportingOverflow(value)
            if overflow { return .max }
            total = next
        }
        return total
    }

    /// `a * b`, saturating at `UInt64.max` instead of overflowing.
    public static func times(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : value
    }

    /// Throws `memoryLimitExceeded` when the product of `factors` exceeds `limit` (an overflowing
    /// product counts as exceeding it). Returns the product.
    @discardableResult
    public static func check(product factors: [Int], limit: UInt64, what: String) throws -> UInt64 {
        guard let bytes = product(factors) else { throw FrameCutError.memoryLimitExceeded(needed: UInt64.max, limit: limit, what: what) }
        try check(bytes, limit: limit, what: what)
        return bytes
    }

    /// Bytes as a short human string ("1.5 GiB").
    public static func format(_ bytes: UInt64) -> String {
        if bytes == UInt64.max { return "more than 16 EiB" }
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
            guard let number = Double(trimmed.dropLast(suffix.count)), number >= 0, number * Double(factor) < 1.8e19 else { return nil }
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
