import Foundation
import Testing
import FrameCutCore
import FrameCutIO
import FrameCutPipeline
import FrameCutReport
import FrameCutTestSupport

/// A real run folder (EfficientNet-Lite0 twice, eight generated images and two photos, class
/// labels) made once per test process, and helpers to read report pages.
enum ReportTestSupport {
    static var testData: URL { TestImages.testData }

    static var fixtures: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures") }

    static func temporaryFolder() throws -> URL {
        try TestImages.temporaryFolder(prefix: "framecut-report")
    }

    /// A 24-bit BMP whose content depends on `seed`; seeds with the same `family` look alike.
    static func bmp(seed: Int, family: Int, size: Int = 40) -> Data {
        TestImages.bmp(size: size) { x, y in
            let stripe = family == 0 ? (x / 5) % 2 : (y / 5) % 2
            return (UInt8(truncatingIfNeeded: stripe * 200 + seed * 3), UInt8(truncatingIfNeeded: family * 120 + seed),
                    UInt8(truncatingIfNeeded: (1 - stripe) * 180 + seed * 2))
        }
    }

    struct Run: Sendable {
        let folder: URL
        let images: URL
    }

    /// Made once: the run folder of `framecut run` on 10 images with labels and two models.
    static let shared: Result<Run, any Error> = Result { try makeRun() }

    static func run() throws -> Run {
        try shared.get()
    }

    static func makeRun() throws -> Run {
        let work = try temporaryFolder()
        let images = work.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images.appendingPathComponent("sub"), withIntermediateDirectories: true)
        var labels = "name,class\n"
        for i in 0..<8 {
            let name = i < 4 ? String(format: "stripes%02d.bmp", i) : String(format: "sub/bars%02d.bmp", i)
            try bmp(seed: i, family: i < 4 ? 0 : 1).write(to: images.appendingPathComponent(name))
            labels += "\(name),\(i < 4 ? "vertical" : "horizontal")\n"
        }
        for photo in ["chelsea.png", "coffee.png"] {
            let source = testData.appendingPathComponent(photo)
            guard FileManager.default.fileExists(atPath: source.path) else { throw ReportError.input(path: source.path, reason: "missing: run scripts/fetch_test_data.sh") }
            try FileManager.default.copyItem(at: source, to: images.appendingPathComponent(photo))
            labels += "\(photo),photo\n"
        }
        try Data("not an image".utf8).write(to: images.appendingPathComponent("broken.jpg"))
        let labelsURL = work.appendingPathComponent("labels.csv")
        try labels.write(to: labelsURL, atomically: true, encoding: .utf8)
        let weights = testData.appendingPathComponent("efficientnet-lite0-57934424.pth")
        guard FileManager.default.fileExists(atPath: weights.path) else { throw ReportError.input(path: weights.path, reason: "missing: run scripts/fetch_test_data.sh") }
        let out = work.appendingPathComponent("run")
        let run = PipelineRun(folder: images, models: [ModelSpec(model: "efficientnet-lite0", weights: weights), ModelSpec(model: "efficientnet-lite0", weights: weights)],
                              cal: .heuristic, labels: labelsURL, out: out, store: work.appendingPathComponent("store.sqlite"), threads: 2,
                              commandLine: ["framecut", "run"])
        _ = try run.execute()
        return Run(folder: out, images: images)
    }

    /// Every `.html` file under `folder`, relative paths.
    static func pages(_ folder: URL) throws -> [String] {
        guard let e = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".html") }.sorted()
    }

    /// The values of attribute `attribute` (`src`, `href`) in `html`.
    static func attributes(_ attribute: String, in html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        let marker = " \(attribute)=\""
        while let r = rest.range(of: marker) {
            let after = rest[r.upperBound...]
            guard let end = after.firstIndex(of: "\"") else { break }
            out.append(String(after[..<end]))
            rest = after[end...]
        }
        return out
    }

    /// `data-value` of the first element with `data-key="key"` after `anchor` (or anywhere).
    static func value(_ key: String, in html: String, after anchor: String? = nil) -> Double? {
        var text = html[...]
        if let anchor, let r = text.range(of: anchor) { text = text[r.upperBound...] }
        guard let r = text.range(of: "data-key=\"\(key)\" data-value=\"") else { return nil }
        let after = text[r.upperBound...]
        guard let end = after.firstIndex(of: "\"") else { return nil }
        return Double(after[..<end])
    }
}
