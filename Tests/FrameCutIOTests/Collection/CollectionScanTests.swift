import Foundation
import Testing
import FrameCutIO

/// Builds a small collection in a temporary folder:
///   a/cat.jpg, a/notes.txt, b/cat.jpg (same name, other content), b/copy.png (= top.png),
///   b/deep/c.gif, broken/truncated.png, broken/text.jpg, broken/empty.jpg, top.png,
///   .hidden/x.png, link -> a (symlink), loop -> . (symlink)
final class TemporaryCollection {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("framecut-collection-\(UUID().uuidString)")
        let fm = FileManager.default
        let images = ImageFixtures.root
        for folder in ["a", "b/deep", "broken", ".hidden"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        func copy(_ fixture: String, _ to: String) throws {
            try fm.copyItem(at: images.appendingPathComponent(fixture), to: root.appendingPathComponent(to))
        }
        try copy("jpeg_baseline_420.jpg", "a/cat.jpg")
        try copy("jpeg_gray.jpg", "b/cat.jpg")
        try copy("png_rgb8.png", "top.png")
        try copy("png_rgb8.png", "b/copy.png")
        try copy("gif_palette.gif", "b/deep/c.gif")
        try copy("truncated_png.png", "broken/truncated.png")
        try copy("broken/text_file.jpg", "broken/text.jpg")
        try copy("broken/zero_bytes.jpg", "broken/empty.jpg")
        try copy("png_rgba8.png", ".hidden/x.png")
        try Data("notes".utf8).write(to: root.appendingPathComponent("a/notes.txt"))
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("link").path, withDestinationPath: root.appendingPathComponent("a").path)
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("b/loop").path, withDestinationPath: root.path)
    }

    deinit { try? FileManager.default.removeItem(at: root) }
}

@Suite("Collection: walk, hash, scan")
struct CollectionScanTests {
    @Test("the walk lists supported files in a stable order, relative to the root")
    func walk() throws {
        let collection = try TemporaryCollection()
        let listing = try CollectionWalker.list(collection.root)
        #expect(listing.files.map(\.relativePath) == [
            "a/cat.jpg", "b/cat.jpg", "b/copy.png", "b/deep/c.gif",
            "broken/empty.jpg", "broken/text.jpg", "broken/truncated.png", "top.png",
        ])
        #expect(listing.duplicateNames == ["cat.jpg": ["a/cat.jpg", "b/cat.jpg"]])
    }

    @Test("symbolic links are followed on request, each folder once")
    func symlinks() throws {
        let collection = try TemporaryCollection()
        let listing = try CollectionWalker.list(collection.root, options: CollectionWalkOptions(followSymlinks: true, includeHidden: true))
        let paths = listing.files.map(\.relativePath)
        #expect(paths.contains(".hidden/x.png"))
        // "link" points at "a", which the walk already visited: not listed twice.
        #expect(!paths.contains("link/cat.jpg"))
        #expect(paths.filter { $0.hasSuffix("cat.jpg") }.count == 2)
    }

    @Test("scan reports formats, problems with reasons, truncation, copies and pixel totals", arguments: [1, 3])
    func scan(threads: Int) throws {
        let collection = try TemporaryCollection()
        let scan = try CollectionScanner.scan(collection.root, options: CollectionScanOptions(threads: threads))
        #expect(scan.records.count == 8)
        #expect(scan.countsPerFormat == [.jpeg: 2, .png: 3, .gif: 1])
        let problems = Dictionary(uniqueKeysWithValues: scan.problems.map { ($0.relativePath, $0.problem?.kind ?? "") })
        #expect(problems == ["broken/empty.jpg": "empty", "broken/text.jpg": "unrecognized"])
        #expect(scan.truncatedOrRecovered.map(\.relativePath) == ["broken/truncated.png"])
        #expect(scan.duplicateContent == [["b/copy.png", "top.png"]])
        #expect(scan.totalPixels == 61 * 45 * 5 + 160 * 120)
        let top = try #require(scan.records.first { $0.relativePath == "top.png" })
        let bytes = try [UInt8](Data(contentsOf: collection.root.appendingPathComponent("top.png")))
        #expect(top.contentHash == SHA256.hex(bytes))
        #expect(top.byteCount == bytes.count)
        #expect(top.width == 61 && top.height == 45 && top.format == .png)
    }

    @Test("a header-only scan finds unusable files but not truncation")
    func quick() throws {
        let collection = try TemporaryCollection()
        let scan = try CollectionScanner.scan(collection.root, options: CollectionScanOptions(fullDecode: false, threads: 2))
        #expect(scan.problems.count == 2)
        #expect(scan.truncatedOrRecovered.isEmpty)
    }

    @Test("the progress callback reports every file and can cancel")
    func progressAndCancel() throws {
        let collection = try TemporaryCollection()
        let seen = Counter()
        _ = try CollectionScanner.scan(collection.root, options: CollectionScanOptions(threads: 2)) { done, total in
            seen.add(done == total ? 1 : 0)
            return true
        }
        #expect(seen.value == 1)
        #expect(throws: ImageIOError.cancelled(path: collection.root.path)) {
            try CollectionScanner.scan(collection.root, options: CollectionScanOptions(threads: 1)) { _, _ in false }
        }
    }

    @Test("a missing root is an error")
    func missingRoot() {
        #expect(throws: ImageIOError.notAFolder(path: "/nonexistent/framecut")) {
            try CollectionWalker.list(URL(fileURLWithPath: "/nonexistent/framecut"))
        }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
