import Foundation

/// One image file of a scanned collection, with its content hash.
public struct ScannedFile: Sendable, Equatable {
    /// `/`-separated path relative to the collection folder.
    public let path: String
    /// Where to read it.
    public let url: URL
    /// SHA-256 of its bytes, lowercase hex.
    public let contentHash: String
}
