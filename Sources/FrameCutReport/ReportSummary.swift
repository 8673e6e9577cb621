import Foundation

/// What `RunReport.write` produced.
public struct ReportSummary: Sendable, Equatable {
    /// HTML pages written.
    public var pages: Int
    /// Thumbnails written, and images whose thumbnail failed (shown by name only).
    public var thumbnails: Int
    public var failedThumbnails: Int
    /// The largest page in bytes.
    public var largestPageBytes: Int
    /// Notes about missing inputs (also shown on the overview page).
    public var notes: [String]
    public var seconds: Double
}
