import Foundation
import Testing
import FrameCutIO

@Suite("Image decoding: broken-file corpus")
struct ImageBrokenCorpusTests {
    static var brokenRoot: URL { ImageFixtures.root.appendingPathComponent("broken") }
    static let expected: [String: String] = {
        guard let data = try? Data(contentsOf: brokenRoot.appendingPathComponent("expected.json")),
              let map = try? JSONDecoder().decode([String: String].self, from: data) else { return [:] }
        return map
    }()

    @Test("the broken corpus is complete (a missing expected.json fails, never skips)")
    func corpusComplete() throws {
        #expect(Self.expected.count == 13)
        for name in Self.expected.keys {
            #expect(FileManager.default.fileExists(atPath: Self.brokenRoot.appendingPathComponent(name).path), "\(name) missing")
        }
    }

    @Test("each broken file fails with a typed error and a reason", arguments: expected.keys.sorted())
    func broken(name: String) throws {
        let url = Self.brokenRoot.appendingPathComponent(name)
        do {
            let decoded = try ImageDecoder().decode(contentsOf: url)
            Issue.record("\(name) decoded to \(decoded.image.width)x\(decoded.image.height)")
        } catch {
            #expect(error.kind == Self.expected[name], "\(name): \(error)")
            #expect(error.path == url.path)
            #expect(!error.reason.isEmpty)
        }
    }

    @Test("the pixel limit is configurable and checked before allocating")
    func pixelLimit() throws {
        let url = ImageFixtures.root.appendingPathComponent("jpeg_444.jpg")
        #expect(throws: ImageIOError.tooManyPixels(path: url.path, width: 61, height: 45, limit: 1000)) {
            try ImageDecoder(options: DecodeOptions(maxPixels: 1000)).decode(contentsOf: url)
        }
    }

    @Test("truncation is an error when truncated files are not allowed")
    func strictTruncation() throws {
        let strict = ImageDecoder(options: DecodeOptions(allowTruncated: false))
        for name in ["truncated_jpeg.jpg", "truncated_png.png", "truncated_bmp.bmp"] {
            #expect(throws: ImageIOError.self) { try strict.decode(contentsOf: ImageFixtures.root.appendingPathComponent(name)) }
        }
    }

    @Test("missing files and folders are unreadable, with the reason")
    func unreadable() {
        let missing = URL(fileURLWithPath: "/nonexistent/framecut/image.jpg")
        do {
            _ = try ImageDecoder().decode(contentsOf: missing)
            Issue.record("decoded a missing file")
        } catch {
            #expect(error.kind == "unreadable")
        }
        do {
            _ = try ImageDecoder().decode(contentsOf: ImageFixtures.root)
            Issue.record("decoded a folder")
        } catch {
            #expect(error.kind == "unreadable")
        }
    }

    @Test("every prefix of a valid file decodes or fails cleanly")
    func prefixes() throws {
        for name in ["jpeg_progressive.jpg", "png_interlaced.png", "gif_interlaced.gif", "webp_alpha.webp", "bmp_palette8.bmp"] {
            let bytes = try [UInt8](Data(contentsOf: ImageFixtures.root.appendingPathComponent(name)))
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 37)) {
                _ = try? ImageDecoder().decode(Array(bytes[0..<cut]), path: name)
            }
        }
    }
}
