import Foundation

/// A collection after scanning: the files in walk order, and the files that could not even be
/// read (with the reason).
public struct ScannedCollection: Sendable {
    public let folder: URL
    public let files: [ScannedFile]
    public let unreadable: [SkippedImage]
    /// Files whose hash came from the store (size and modification time unchanged).
    public let reusedHashes: Int
}
