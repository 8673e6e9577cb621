import Foundation
import Testing
import FrameCutReport

@Suite("Report: scale")
struct ReportScaleTests {
    /// A run folder of 40,000 images (a 12,000-image cluster, 4,000 clusters of 5, 8,000
    /// singletons), its run.json derived from the real test run's; no images, no store.
    static func largeRun() throws -> URL {
        let real = try ReportTestSupport.run()
        let folder = try ReportTestSupport.temporaryFolder().appendingPathComponent("run")
        let model = folder.appendingPathComponent("big")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: real.folder.appendingPathComponent("run.json"))) as? [String: Any])
        var models = try #require(record["models"] as? [[String: Any]])
        var m = models[0]
        m["folder"] = "big"
        m["images_used"] = 40000
        models = [m]
        record["models"] = models
        record["comparison"] = nil
        record["labels"] = nil
        record["folder"] = "/nonexistent-framecut-images"
        record["store"] = "/nonexistent-framecut-store.sqlite"
        try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]).write(to: folder.appendingPathComponent("run.json"))
        var csv = "name,cluster\n"
        csv.reserveCapacity(40000 * 40)
        for i in 0..<40000 {
            let cluster = i < 12000 ? 0 : (i < 32000 ? 1 + (i - 12000) / 5 : 10000 + i)
            csv += "folder\(i % 97)/image_\(i).jpg,\(cluster)\n"
        }
        try csv.write(to: model.appendingPathComponent("clusters.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: real.folder.appendingPathComponent("efficientnet-lite0/similarity.json"), to: model.appendingPathComponent("similarity.json"))
        return folder
    }

    @Test("a 40,000-image run: pages per cluster, every page under 5 MB, in seconds")
    func fortyThousand() throws {
        let run = try Self.largeRun()
        let out = run.appendingPathComponent("report")
        let summary = try RunReport.write(runFolder: run, out: out)
        #expect(summary.largestPageBytes < 5_000_000)
        #expect(summary.notes.count == 2)
        // 13 pages of the large cluster, 4,000 cluster pages, the singletons in pages of 5,000.
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("c/big/0-12.html").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("c/big/0-13.html").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("c/big/4000.html").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("c/big/singletons-2.html").path))
        #expect(summary.pages >= 1 + 1 + 12 + 4000 + 2)
        var largest = 0
        for page in try ReportTestSupport.pages(out) {
            let size = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(page).path)[.size] as? Int ?? 0
            largest = max(largest, size)
        }
        #expect(largest == summary.largestPageBytes)
        #expect(summary.seconds < 60)
    }
}
