import Foundation
import Testing
import FrameCutCore
import FrameCutIO
import FrameCutPipeline
import FrameCutReport

@Suite("Report: structure, numbers, links, determinism")
struct ReportStructureTests {
    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Equal up to the last bits (Foundation's JSON parser may round the 17th digit differently).
    static func same(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return false }
        return abs(a - b) <= 1e-13 * max(1, abs(a))
    }

    @Test("sections are present and the numbers equal run.json, stats.json and similarity.json")
    func sectionsAndNumbers() throws {
        let run = try ReportTestSupport.run()
        let out = try ReportTestSupport.temporaryFolder().appendingPathComponent("report")
        let summary = try RunReport.write(runFolder: run.folder, out: out)
        #expect(summary.notes.isEmpty, "\(summary.notes)")
        #expect(summary.thumbnails == 10 && summary.failedThumbnails == 0)
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        for section in ["id=\"overview\"", "id=\"models\"", "id=\"timings\"", "id=\"statistics\"", "id=\"vi\"", "id=\"overlap\"", "id=\"skipped\"", "vi-heatmap"] {
            #expect(index.contains(section), "index.html lacks \(section)")
        }
        let record = try Self.json(run.folder.appendingPathComponent("run.json"))
        #expect(ReportTestSupport.value("files", in: index) == (record["files"] as? Double))
        #expect(ReportTestSupport.value("skipped", in: index) == 1)
        let models = try #require(record["models"] as? [[String: Any]])
        #expect(models.count == 2)
        for m in models {
            let folder = try #require(m["folder"] as? String)
            let row = "<tr data-model=\"\(folder)\">"
            for (key, jsonKey) in [("cal", "cal"), ("energy", "energy"), ("energyGAEC", "energy_gaec"), ("clusters", "clusters"),
                                   ("clustersGAEC", "clusters_gaec"), ("imagesUsed", "images_used")] {
                let expected = try #require(m[jsonKey] as? Double, "run.json \(jsonKey)")
                #expect(Self.same(ReportTestSupport.value(key, in: index, after: row), expected), "\(folder) \(key)")
            }
            let stats = try Self.json(run.folder.appendingPathComponent(folder).appendingPathComponent("stats.json"))
            let statsRow = "<tr data-model=\"\(folder)\"><td>\(folder)</td>"
            for (key, jsonKey) in [("items", "items"), ("clusters", "clusters"), ("minSize", "min_size"), ("maxSize", "max_size"),
                                   ("medianSize", "median_size"), ("meanSize", "mean_size"), ("singletonClusters", "singleton_clusters"),
                                   ("singletonShare", "singleton_share")] {
                let expected = try #require(stats[jsonKey] as? Double, "stats.json \(jsonKey)")
                #expect(Self.same(ReportTestSupport.value(key, in: index, after: statsRow), expected), "\(folder) stats \(key)")
            }
            let agreement = try #require(stats["agreement"] as? [String: Any])
            for (key, jsonKey) in [("variationOfInformation", "variation_of_information"), ("adjustedRandIndex", "adjusted_rand_index"),
                                   ("purity", "purity"), ("cleanClusters", "clean_clusters")] {
                let expected = try #require(agreement[jsonKey] as? Double, "stats.json agreement \(jsonKey)")
                #expect(Self.same(ReportTestSupport.value(key, in: index, after: statsRow), expected), "\(folder) \(key)")
            }
            let page = try String(contentsOf: out.appendingPathComponent("m-\(folder).html"), encoding: .utf8)
            for section in ["id=\"sizes\"", "size-box", "size-rank", "id=\"similarity\"", "similarity-raw", "similarity-normalized",
                            "id=\"labels\"", "Contingency of the largest clusters", "id=\"galleries\"", "id=\"map\"", "<circle", "spectral initialisation", "id=\"calibration\"", "calibration-curve"] {
                #expect(page.contains(section), "m-\(folder).html lacks \(section)")
            }
            let similarity = try Self.json(run.folder.appendingPathComponent(folder).appendingPathComponent("similarity.json"))
            let distribution = try #require(similarity["distribution"] as? [String: Any])
            #expect(Self.same(ReportTestSupport.value("mu", in: page), distribution["mu"] as? Double), "mu \(String(describing: distribution["mu"]))")
            #expect(Self.same(ReportTestSupport.value("suggestedCal", in: page), distribution["suggested_cal"] as? Double))
            #expect(page.contains("1 - cal \(HTML.number(1 - (m["cal"] as? Double ?? 0), digits: 3))"))
        }
        let comparison = try #require(record["comparison"] as? [String: Any])
        let vi = try #require(comparison["variation_of_information"] as? [[Double]])
        #expect(Self.same(ReportTestSupport.value("vi-0-1", in: index), vi[0][1]))
    }

    @Test("no absolute paths, no network references; every img and link target exists")
    func linksAndPaths() throws {
        let run = try ReportTestSupport.run()
        let out = try ReportTestSupport.temporaryFolder().appendingPathComponent("report")
        try RunReport.write(runFolder: run.folder, out: out)
        let pages = try ReportTestSupport.pages(out)
        #expect(pages.count >= 6)
        var checked = 0
        for page in pages {
            let url = out.appendingPathComponent(page)
            let html = try String(contentsOf: url, encoding: .utf8)
            #expect(!html.contains("http://") && !html.contains("https://"), "\(page) refers to the network")
            #expect(!html.contains(run.folder.path) && !html.contains(run.images.path) && !html.contains(NSTemporaryDirectory()), "\(page) holds an absolute path")
            #expect(!html.contains("file:"), "\(page)")
            for target in ReportTestSupport.attributes("src", in: html) + ReportTestSupport.attributes("href", in: html) + ReportTestSupport.attributes("data-thumb", in: html) {
                #expect(!target.hasPrefix("/"), "\(page): absolute link \(target)")
                let path = try #require(target.removingPercentEncoding)
                let resolved = url.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
                #expect(resolved.path.hasPrefix(out.standardizedFileURL.path), "\(page): \(target) leaves the report")
                #expect(FileManager.default.fileExists(atPath: resolved.path), "\(page): \(target) does not exist")
                checked += 1
            }
        }
        #expect(checked > 40)
    }

    @Test("a cluster page lists every member, offers its names to copy and as CSV, and similarities to the mean")
    func clusterPages() throws {
        let run = try ReportTestSupport.run()
        let out = try ReportTestSupport.temporaryFolder().appendingPathComponent("report")
        try RunReport.write(runFolder: run.folder, out: out)
        let clustering = try LabelFileReader.readCSV(path: run.folder.appendingPathComponent("efficientnet-lite0/clusters.csv").path)
        let names = try #require(clustering.names)
        var members: [String: [String]] = [:]
        for (name, label) in zip(names, clustering.labels) { members[label, default: []].append(name) }
        var pagesSeen = 0, singletons = 0
        for (label, group) in members {
            if group.count == 1 { singletons += 1; continue }
            let page = try String(contentsOf: out.appendingPathComponent("c/efficientnet-lite0/\(label).html"), encoding: .utf8)
            #expect(page.contains("data-copy=\"names\"") && page.contains("id=\"names\""))
            #expect(ReportTestSupport.value("size", in: page) == Double(group.count))
            let csv = try String(contentsOf: out.appendingPathComponent("c/efficientnet-lite0/\(label).csv"), encoding: .utf8)
            let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
            #expect(Set(rows.map { String($0[0]) }) == Set(group))
            for row in rows {
                let similarity = try #require(Double(row[1]))
                #expect(similarity > -1.0001 && similarity < 1.0001)
            }
            for name in group { #expect(page.contains(HTML.escape(name))) }
            pagesSeen += 1
        }
        if singletons > 0 {
            let list = try String(contentsOf: out.appendingPathComponent("c/efficientnet-lite0/singletons.html"), encoding: .utf8)
            for (_, group) in members where group.count == 1 { #expect(list.contains(HTML.escape(group[0]))) }
        }
        #expect(pagesSeen + singletons == members.count)
    }

    @Test("the same run gives a byte-identical report (thumbnails, pages, CSVs, map)")
    func deterministic() throws {
        let run = try ReportTestSupport.run()
        let work = try ReportTestSupport.temporaryFolder()
        var options = ReportOptions()
        options.threads = 2
        try RunReport.write(runFolder: run.folder, out: work.appendingPathComponent("a"), options: options)
        options.threads = 1
        try RunReport.write(runFolder: run.folder, out: work.appendingPathComponent("b"), options: options)
        let files = try #require(FileManager.default.enumerator(atPath: work.appendingPathComponent("a").path)).compactMap { $0 as? String }
        var compared = 0
        for file in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: work.appendingPathComponent("a/\(file)").path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let a = try Data(contentsOf: work.appendingPathComponent("a/\(file)")), b = try Data(contentsOf: work.appendingPathComponent("b/\(file)"))
            #expect(a == b, "\(file) differs")
            compared += 1
        }
        #expect(compared > 20)
        let thumbs = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("a/thumbs").path)
        #expect(thumbs.count == 10)
        let first = try Data(contentsOf: work.appendingPathComponent("a/thumbs/\(thumbs.sorted()[0])"))
        #expect(first.starts(with: [0xFF, 0xD8]))
    }

    @Test("a missing run.json or clusters.csv is one clear error; bad options are refused")
    func errors() throws {
        let empty = try ReportTestSupport.temporaryFolder()
        #expect { try RunReport.write(runFolder: empty) } throws: { error in
            "\(error)".contains("run.json") && !"\(error)".contains("\n")
        }
        var options = ReportOptions()
        options.thumbnailSize = 2
        #expect(throws: ReportError.invalidOption(name: "--thumbnail-size", reason: "must lie in 8...1024, got 2")) {
            try RunReport.write(runFolder: empty, options: options)
        }
        #expect(try ReportOptions.mapInitialization("spectral") == .spectral && ReportOptions.mapInitialization("pca") == .pca)
        for bad in ["", "random", "Spectral", "pca "] {
            #expect(throws: ReportError.invalidOption(name: "--map-init", reason: "must be spectral or pca, got '\(bad)'")) { try ReportOptions.mapInitialization(bad) }
        }
        let run = try ReportTestSupport.run()
        let copy = try ReportTestSupport.temporaryFolder().appendingPathComponent("run")
        try FileManager.default.copyItem(at: run.folder, to: copy)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("efficientnet-lite0-2/clusters.csv"))
        #expect { try RunReport.write(runFolder: copy) } throws: { error in "\(error)".contains("efficientnet-lite0-2/clusters.csv") }
    }
}
