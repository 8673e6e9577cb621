import Foundation
import Testing

/// `framecut scan` end to end on a folder built from the decoder fixtures.
@Suite("CLI: scan")
struct ScanCLITests {
    static var images: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FrameCutIOTests/Fixtures/images").path
    }

    /// good/a.png, good/b.jpg, copy/a.png (same name and bytes as good/a.png), a truncated JPEG,
    /// a zero-byte file and a text file named like an image.
    static func collection() throws -> String {
        let dir = try CLIHarness.temporaryFolder()
        let fm = FileManager.default
        for sub in ["good", "copy", "bad"] { try fm.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true) }
        try fm.copyItem(atPath: "\(images)/png_rgb8.png", toPath: "\(dir)/good/a.png")
        try fm.copyItem(atPath: "\(images)/jpeg_444.jpg", toPath: "\(dir)/good/b.jpg")
        try fm.copyItem(atPath: "\(images)/png_rgb8.png", toPath: "\(dir)/copy/a.png")
        try fm.copyItem(atPath: "\(images)/truncated_jpeg.jpg", toPath: "\(dir)/bad/cut.jpg")
        try fm.copyItem(atPath: "\(images)/broken/zero_bytes.jpg", toPath: "\(dir)/bad/empty.jpg")
        try fm.copyItem(atPath: "\(images)/broken/text_file.jpg", toPath: "\(dir)/bad/text.jpg")
        return dir
    }

    @Test("text report: counts, usable images, problems with reasons, duplicate names and copies")
    func text() throws {
        let dir = try Self.collection()
        let result = try CLIHarness.run(["scan", dir])
        #expect(result.status == 0, "\(result.stderr)")
        let out = result.stdout
        #expect(out.contains("Scanned 6 files under"))
        #expect(out.contains("usable: 4 images"), "\(out)")
        #expect(out.contains("usable with warnings: 1"), "\(out)")
        #expect(out.contains("bad/cut.jpg"))
        #expect(out.contains("problems: 2"), "\(out)")
        #expect(out.contains("bad/empty.jpg [") && out.contains("bad/text.jpg ["), "\(out)")
        #expect(out.contains("file names in several folders: 1"), "\(out)")
        #expect(out.contains("a.png: copy/a.png, good/a.png"), "\(out)")
        #expect(out.contains("identical content: 1 group(s)"), "\(out)")
        #expect(out.contains("copy/a.png = good/a.png"), "\(out)")
    }

    @Test("--json agrees with the text report; --quick reads headers only")
    func json() throws {
        let dir = try Self.collection()
        let result = try CLIHarness.run(["scan", dir, "--json", "--records"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["files"] as? Int == 6)
        #expect(object["usable"] as? Int == 4)
        let problems = try #require(object["problems"] as? [[String: Any]])
        #expect(Set(problems.compactMap { $0["path"] as? String }) == ["bad/empty.jpg", "bad/text.jpg"])
        #expect(problems.allSatisfy { !(($0["reason"] as? String) ?? "").isEmpty })
        #expect((object["records"] as? [Any])?.count == 6)
        #expect((object["duplicateContent"] as? [[String]]) == [["copy/a.png", "good/a.png"]])

        let quick = try CLIHarness.run(["scan", dir, "--quick", "--json"])
        #expect(quick.status == 0, "\(quick.stderr)")
        let q = try #require(try JSONSerialization.jsonObject(with: Data(quick.stdout.utf8)) as? [String: Any])
        #expect(q["files"] as? Int == 6)
    }

    @Test("a missing folder: one line, exit 1; a bad flag: ArgumentParser's usage error naming it, exit 64")
    func errors() throws {
        let dir = try CLIHarness.temporaryFolder()
        let missing = try CLIHarness.run(["scan", "\(dir)/missing"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: \(dir)/missing: not a folder\n", "\(missing.stderr)")
        for (flag, value) in [("--threads", "0"), ("--max-pixels", "0")] {
            let result = try CLIHarness.run(["scan", dir, flag, value])
            #expect(result.status == 64, "\(flag)")
            #expect(result.stderr.hasPrefix("Error: \(flag) must"), "\(flag): \(result.stderr)")
        }
    }
}
