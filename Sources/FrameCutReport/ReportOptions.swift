import Foundation
import FrameCutCore

/// Settings of `framecut report`.
public struct ReportOptions: Sendable {
    /// Largest clusters per model shown as galleries on the model page.
    public var galleryClusters = 12
    /// Thumbnails per gallery (an evenly spaced, deterministic sample of the cluster).
    public var gallerySample = 12
    /// Images per cluster page (larger clusters get more pages; keeps every page small).
    public var imagesPerPage = 1000
    /// Longest side of a thumbnail in pixels.
    public var thumbnailSize = 96
    /// Write thumbnails (false: pages show names only).
    public var thumbnails = true
    /// Draw the 2-D UMAP map of each model's embeddings (needs the store).
    public var map = true
    /// At most this many points on a map (an evenly spaced sample beyond).
    public var mapPoints = 5000
    /// How each map's UMAP starts: spectral (umap-learn's default; PCA when its eigenvector
    /// solve does not converge) or PCA.
    public var mapInit: UMAPOptions.Initialization = .spectral
    /// Worker threads for thumbnails and the map.
    public var threads = ParallelWork.processorCount
    /// Matched cluster pairs shown per overlap page.
    public var overlapPairs = 30

    public init() {}

    /// Parses `--map-init`: `spectral` or `pca`.
    /// - Throws: `ReportError.invalidOption` naming `--map-init` for anything else.
    public static func mapInitialization(_ text: String) throws -> UMAPOptions.Initialization {
        guard let value = UMAPOptions.Initialization(rawValue: text) else {
            throw ReportError.invalidOption(name: "--map-init", reason: "must be spectral or pca, got '\(text)'")
        }
        return value
    }

    /// Checks the ranges before any work.
    public func validate() throws {
        func check(_ value: Int, _ name: String, _ range: ClosedRange<Int>) throws {
            guard range.contains(value) else { throw ReportError.invalidOption(name: name, reason: "must lie in \(range.lowerBound)...\(range.upperBound), got \(value)") }
        }
        try check(galleryClusters, "--gallery-clusters", 0...1000)
        try check(gallerySample, "--gallery-sample", 1...200)
        try check(imagesPerPage, "--images-per-page", 10...20000)
        try check(thumbnailSize, "--thumbnail-size", 8...1024)
        try check(mapPoints, "--map-points", 10...100_000)
        try check(threads, "--threads", 1...1024)
        try check(overlapPairs, "--overlap-pairs", 1...10000)
    }
}
