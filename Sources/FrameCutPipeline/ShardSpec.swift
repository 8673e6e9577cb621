import Foundation
import FrameCutIO

/// One share of a collection, for embedding it on several machines: `embed --shard i/N`.
///
/// Shares are numbered from 0 (`0/N ... (N-1)/N`, as Slurm's `--array=0-(N-1)` numbers its
/// tasks). A file belongs to share `i` when the first 8 bytes of the SHA-256 of its relative
/// path (UTF-8, `/`-separated, as in the store), read as a big-endian integer, are `i` modulo
/// `N`. So the share depends only on the path and `N`: not on the machine, the thread count
/// or the listing order; a file added later never moves another file to another share; and a
/// shard decides from the listing alone, reading (hashing) only the files of its own share.
public struct ShardSpec: Sendable, Equatable, CustomStringConvertible {
    /// The name of the assignment rule, recorded in every shard store.
    public static let rule = "sha256(relative path) mod N"

    /// 0-based index of the share, `0 ..< count`.
    public let index: Int
    /// Number of shares (N >= 1).
    public let count: Int

    /// - Throws: ``PipelineError/invalidOption(flag:reason:)`` unless `count >= 1` and `0 <= index < count`.
    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw PipelineError.invalidOption(flag: "--shard", reason: "\(index)/\(count): N must be at least 1") }
        guard (0..<count).contains(index) else {
            throw PipelineError.invalidOption(flag: "--shard", reason: "\(index)/\(count): shards count from 0, so i must be 0...\(count - 1)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/N` (decimal integers, nothing else).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Self.integer(parts[0]), let n = Self.integer(parts[1]) else {
            throw PipelineError.invalidOption(flag: "--shard", reason: "'\(text)' is not i/N (e.g. 0/4: the first of 4 shards, counted from 0)")
        }
        try self.init(index: i, count: n)
    }

    private static func integer(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// The share (`0 ..< count`) of the file at `relativePath`.
    public static func share(of relativePath: String, count: Int) -> Int {
        var h = SHA256()
        h.update(Array(relativePath.utf8))
        let digest = h.finalize()
        var value: UInt64 = 0
        for byte in digest.prefix(8) { value = value << 8 | UInt64(byte) }
        return Int(value % UInt64(max(count, 1)))
    }

    /// Whether the file at `relativePath` belongs to this share.
    public func contains(_ relativePath: String) -> Bool {
        Self.share(of: relativePath, count: count) == index
    }

    /// The SHA-256 of a whole listing (relative paths sorted byte-wise, one per line): equal in
    /// every shard that saw the same collection.
    public static func listingDigest(_ relativePaths: [String]) -> String {
        var h = SHA256()
        for path in relativePaths.map({ Array($0.utf8) }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            h.update(path + [0x0A])
        }
        return h.finalizeHex()
    }

    /// The store record of this share for a listing.
    public func record(listing relativePaths: [String]) -> StoredShard {
        StoredShard(index: index, count: count, rule: Self.rule, listed: relativePaths.count, listingSHA256: Self.listingDigest(relativePaths))
    }

    /// `i/N`.
    public var description: String { "\(index)/\(count)" }
}
