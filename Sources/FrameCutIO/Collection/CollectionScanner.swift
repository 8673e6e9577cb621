import Foundation
import FrameCutCore

/// What a scan found out about one file.
public struct ImageRecord: Sendable, Codable, Equatable {
    public let relativePath: String
    public let byteCount: Int
    /// SHA-256 of the file's bytes (hex), for caching embeddings and spotting copies.
    public let contentHash: String?
    public let format: ImageFormat?
    public let width: Int?
    public let height: Int?
    /// Decoder warnings (truncation, recovered damage); the image is still usable.
    public let warnings: [String]
    /// Why the file cannot be used; nil when it decodes.
    public let problem: Problem?

    public struct Problem: Sendable, Codable, Equatable {
        public let kind: String
        public let reason: String
    }

    public var pixelCount: Int { (width ?? 0) * (height ?? 0) }
}

/// Options of `CollectionScanner.scan`.
public struct CollectionScanOptions: Sendable {
    public var walk: CollectionWalkOptions
    public var decode: DecodeOptions
    /// Decode every image completely (finds truncated and corrupt data); when false only the
    /// headers are read (fast, finds unreadable and unrecognised files and bad headers).
    public var fullDecode: Bool
    /// Hash every file's content.
    public var hashContent: Bool
    public var threads: Int

    public init(walk: CollectionWalkOptions = CollectionWalkOptions(), decode: DecodeOptions = DecodeOptions(),
                fullDecode: Bool = true, hashContent: Bool = true, threads: Int = ParallelWork.processorCount) {
        self.walk = walk
        self.decode = decode
        self.fullDecode = fullDecode
        self.hashContent = hashContent
        self.threads = threads
    }
}

/// The result of scanning a collection.
public struct CollectionScan: Sendable, Codable {
    public let root: String
    public let records: [ImageRecord]
    /// File names present in several folders, with their relative paths.
    public let duplicateNames: [String: [String]]
    /// Groups of files with identical content (by hash), two or more each.
    public let duplicateContent: [[String]]
    /// Folders that could not be listed, dangling links.
    public let walkProblems: [ImageRecord.Problem]

    /// Number of usable images per format.
    public var countsPerFormat: [ImageFormat: Int] {
        var counts: [ImageFormat: Int] = [:]
        for r in records where r.problem == nil { if let f = r.format { counts[f, default: 0] += 1 } }
        return counts
    }
    public var usable: [ImageRecord] { records.filter { $0.problem == nil } }
    public var problems: [ImageRecord] { records.filter { $0.problem != nil } }
    public var truncatedOrRecovered: [ImageRecord] { records.filter { $0.problem == nil && !$0.warnings.isEmpty } }
    public var totalPixels: Int { usable.reduce(0) { $0 + $1.pixelCount } }
    public var totalBytes: Int { records.reduce(0) { $0 + $1.byteCount } }
}

/// Walks a collection, then reads, hashes and decodes (or probes) every image in parallel.
public enum CollectionScanner {
    /// `progress(done, total)` is called from worker threads after each file; return false to
    /// cancel (the scan then throws `.cancelled`).
    public static func scan(_ root: URL, options: CollectionScanOptions = CollectionScanOptions(),
                            progress: (@Sendable (Int, Int) -> Bool)? = nil) throws(ImageIOError) -> CollectionScan {
        let listing = try CollectionWalker.list(root, options: options.walk)
        let files = listing.files
        let decoder = ImageDecoder(options: options.decode)
        let counter = ProgressCounter(total: files.count, callback: progress)
        let records = ParallelWork.map(count: files.count, threads: options.threads, shouldContinue: { !counter.cancelled }) { i in
            let record = Self.record(files[i], decoder: decoder, options: options)
            counter.tick()
            return record
        }
        if counter.cancelled { throw .cancelled(path: root.path) }
        let done = records.compactMap { $0 }
        var byHash: [String: [String]] = [:]
        for r in done { if let h = r.contentHash, r.byteCount > 0 { byHash[h, default: []].append(r.relativePath) } }
        let copies = byHash.values.filter { $0.count > 1 }.sorted { $0[0].utf8.lexicographicallyPrecedes($1[0].utf8) }
        return CollectionScan(root: root.path, records: done, duplicateNames: listing.duplicateNames, duplicateContent: copies,
                              walkProblems: listing.problems.map { ImageRecord.Problem(kind: $0.kind, reason: $0.description) })
    }

    static func record(_ file: CollectionFile, decoder: ImageDecoder, options: CollectionScanOptions) -> ImageRecord {
        let bytes: [UInt8]
        do {
            bytes = try ImageDecoder.readFile(file.url)
        } catch {
            return ImageRecord(relativePath: file.relativePath, byteCount: 0, contentHash: nil, format: nil, width: nil, height: nil,
                               warnings: [], problem: .init(kind: error.kind, reason: error.reason))
        }
        let hash = options.hashContent ? SHA256.hex(bytes) : nil
        let format = ImageFormat.detect(bytes)
        do throws(ImageIOError) {
            if options.fullDecode {
                let decoded = try decoder.decode(bytes, path: file.url.path)
                return ImageRecord(relativePath: file.relativePath, byteCount: bytes.count, contentHash: hash, format: format,
                                   width: decoded.image.width, height: decoded.image.height,
                                   warnings: decoded.warnings.map(\.description), problem: nil)
            }
            let info = try decoder.probe(bytes, path: file.url.path)
            if info.width * info.height > options.decode.maxPixels {
                throw ImageIOError.tooManyPixels(path: file.url.path, width: info.width, height: info.height, limit: options.decode.maxPixels)
            }
            return ImageRecord(relativePath: file.relativePath, byteCount: bytes.count, contentHash: hash, format: format,
                               width: info.width, height: info.height, warnings: [], problem: nil)
        } catch {
            return ImageRecord(relativePath: file.relativePath, byteCount: bytes.count, contentHash: hash, format: format,
                               width: nil, height: nil, warnings: [], problem: .init(kind: error.kind, reason: error.reason))
        }
    }
}
