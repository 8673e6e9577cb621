import Foundation

/// The record of a shard store: which share of a collection `embed --shard i/N` put in it, and
/// the file list it was taken from, so that `merge` can check that the shards fit together.
public struct StoredShard: Sendable, Equatable, Codable, CustomStringConvertible {
    /// 0-based index of the share, `0 ..< count`.
    public var index: Int
    /// Number of shares the collection is split into.
    public var count: Int
    /// The assignment rule, by name (all shards of one collection must use the same).
    public var rule: String
    /// Files in the whole listing of the collection when the shard was scanned.
    public var listed: Int
    /// SHA-256 of the whole listing (sorted relative paths): equal in every shard of one collection.
    public var listingSHA256: String

    public init(index: Int, count: Int, rule: String, listed: Int, listingSHA256: String) {
        self.index = index
        self.count = count
        self.rule = rule
        self.listed = listed
        self.listingSHA256 = listingSHA256
    }

    /// `i/N`, as given to `--shard`.
    public var description: String { "\(index)/\(count)" }
}
