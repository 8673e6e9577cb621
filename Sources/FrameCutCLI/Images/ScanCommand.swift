import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut scan FOLDER`: what a collection holds and what is wrong with it, before embedding.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Check an image folder: counts per format, problems with reasons, duplicates, total pixels.",
        discussion: """
        Walks FOLDER recursively (JPEG, PNG, WebP, GIF, BMP by extension; the format itself is \
        detected from the content), decodes every image as the embedding step will, and reports \
        truncated files (usable, decoded as far as the data goes), files that cannot be used \
        (zero bytes, not an image, corrupt, over the pixel limit) and file names that occur in \
        several folders. Images are identified by their path relative to FOLDER.
        """
    )

    @Argument(help: "The collection folder.")
    var folder: String

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    @Flag(help: "With --json: include one record per file (path, bytes, SHA-256, format, size, warnings, problem).")
    var records = false

    @Flag(help: "Follow symbolic links to files and folders (each folder once).")
    var followSymlinks = false

    @Flag(help: "Include files and folders whose name starts with '.'.")
    var includeHidden = false

    @Flag(help: "Read headers only instead of decoding every image (faster; misses truncated and corrupt pixel data).")
    var quick = false

    @Option(help: "Largest width x height accepted (decompression-bomb guard; PIL's limit by default).")
    var maxPixels: Int = DecodeOptions.pilPixelLimit

    @Option(help: "Worker threads (default: all processors).")
    var threads: Int?

    func validate() throws {
        if let threads { guard threads >= 1, threads <= 4096 else { throw ValidationError("--threads must lie in 1...4096, got \(threads)") } }
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be at least 1, got \(maxPixels)") }
    }

    func run() throws {
        let threads = self.threads ?? ParallelWork.processorCount
        let options = CollectionScanOptions(
            walk: CollectionWalkOptions(followSymlinks: followSymlinks, includeHidden: includeHidden),
            decode: DecodeOptions(maxPixels: maxPixels), fullDecode: !quick, hashContent: true, threads: threads)
        let showProgress = isatty(STDERR_FILENO) != 0 || ProcessInfo.processInfo.environment["FRAMECUT_PROGRESS"] == "1"
        let start = Date()
        let scan: CollectionScan
        do {
            scan = try CollectionScanner.scan(URL(fileURLWithPath: folder), options: options) { done, total in
                if showProgress && (done == total || done % 256 == 0) {
                    FileHandle.standardError.write(Data("\rframecut scan: \(done)/\(total)".utf8))
                    if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
                }
                return true
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
        let seconds = Date().timeIntervalSince(start)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(ScanReport(scan, includeRecords: records, seconds: seconds))
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else {
            print(Self.text(scan, seconds: seconds), terminator: "")
        }
    }

    static func text(_ scan: CollectionScan, seconds: Double) -> String {
        var out = "Scanned \(scan.records.count) files under \(scan.root) (\(megabytes(scan.totalBytes)) MB) in \(String(format: "%.1f", seconds)) s\n"
        for (format, count) in scan.countsPerFormat.sorted(by: { $0.key < $1.key }) {
            out += "  \(format.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(count)\n"
        }
        out += "usable: \(scan.usable.count) images, \(String(format: "%.1f", Double(scan.totalPixels) / 1e6)) Mpixels in total\n"
        let warned = scan.truncatedOrRecovered
        if !warned.isEmpty {
            out += "usable with warnings: \(warned.count)\n"
            for r in warned { out += "  \(NameList.escape(r.relativePath)): \(r.warnings.joined(separator: "; "))\n" }
        }
        let problems = scan.problems
        out += "problems: \(problems.count + scan.walkProblems.count)\n"
        for r in problems { out += "  \(NameList.escape(r.relativePath)) [\(r.problem?.kind ?? "")]: \(r.problem?.reason ?? "")\n" }
        for p in scan.walkProblems { out += "  [\(p.kind)] \(p.reason)\n" }
        if !scan.duplicateNames.isEmpty {
            out += "file names in several folders: \(scan.duplicateNames.count) (keying by file name would merge these)\n"
            for (name, paths) in scan.duplicateNames.sorted(by: { $0.key < $1.key }) {
                out += "  \(NameList.escape(name)): \(paths.map(NameList.escape).joined(separator: ", "))\n"
            }
        }
        if !scan.duplicateContent.isEmpty {
            out += "identical content: \(scan.duplicateContent.count) group(s) of copies\n"
            for group in scan.duplicateContent { out += "  \(group.map(NameList.escape).joined(separator: " = "))\n" }
        }
        return out
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1e6) }
}

/// The JSON form of a scan (`framecut scan --json`).
struct ScanReport: Encodable {
    struct Problem: Encodable { let path: String; let kind: String; let reason: String }
    struct Warning: Encodable { let path: String; let warnings: [String] }

    let root: String
    let files: Int
    let bytes: Int
    let seconds: Double
    let formats: [String: Int]
    let usable: Int
    let totalPixels: Int
    let warnings: [Warning]
    let problems: [Problem]
    let walkProblems: [ImageRecord.Problem]
    let duplicateNames: [String: [String]]
    let duplicateContent: [[String]]
    let records: [ImageRecord]?

    init(_ scan: CollectionScan, includeRecords: Bool, seconds: Double) {
        root = scan.root
        files = scan.records.count
        bytes = scan.totalBytes
        self.seconds = (seconds * 1000).rounded() / 1000
        formats = Dictionary(uniqueKeysWithValues: scan.countsPerFormat.map { ($0.key.rawValue, $0.value) })
        usable = scan.usable.count
        totalPixels = scan.totalPixels
        warnings = scan.truncatedOrRecovered.map { Warning(path: $0.relativePath, warnings: $0.warnings) }
        problems = scan.problems.map { Problem(path: $0.relativePath, kind: $0.problem?.kind ?? "", reason: $0.problem?.reason ?? "") }
        walkProblems = scan.walkProblems
        duplicateNames = scan.duplicateNames
        duplicateContent = scan.duplicateContent
        records = includeRecords ? scan.records : nil
    }
}
