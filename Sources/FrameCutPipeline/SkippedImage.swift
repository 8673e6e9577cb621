import Foundation

/// An image left out, and why.
public struct SkippedImage: Sendable, Codable, Equatable {
    public let name: String
    public let reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}
