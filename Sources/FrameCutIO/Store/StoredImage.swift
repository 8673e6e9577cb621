import Foundation

/// What the store knows about one image file of the collection.
public struct StoredImage: Sendable, Equatable, Hashable {
    /// Whether the image could be used.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Hashed, not decoded yet.
        case pending
        /// Decoded and embedded (for at least one model).
        case ok
        /// Decoded with a warning (e.g. truncated, used as far as it decodes); `reason` says which.
        case warning
        /// Cannot be decoded; `reason` says why. Not retried while its content is unchanged.
        case failed
    }

    /// `/`-separated path relative to the collection folder.
    public var path: String
    /// File size in bytes and modification time (seconds since 1970) when it was hashed: a file
    /// whose size and time are unchanged is not hashed again.
    public var size: Int64
    public var modificationTime: Double
    /// SHA-256 of the file's bytes, lowercase hex: the key of its embeddings.
    public var contentHash: String
    public var width: Int?
    public var height: Int?
    public var status: Status
    public var reason: String?

    public init(path: String, size: Int64, modificationTime: Double, contentHash: String, width: Int? = nil, height: Int? = nil,
                status: Status = .pending, reason: String? = nil) {
        self.path = path
        self.size = size
        self.modificationTime = modificationTime
        self.contentHash = contentHash
        self.width = width
        self.height = height
        self.status = status
        self.reason = reason
    }
}
