import Foundation
import Testing

@Suite("Analysis CLI", .serialized)
struct AnalysisCLITests {
    static let commands = ["stats", "compare", "overlap", "similarity", "calibrate"]

    @Test(arguments: commands)
    func helpMatchesGolden(command: String) throws {
        let r = try AnalysisCLI.run([command, "--help"])
        #expect(r.status == 0)
        let name = "\(command)-help.txt"
        if ProcessInfo.processInfo.environment["FRAMECUT_UPDATE_GOLDEN"] == "1" {
            try AnalysisCLI.updateGolden(name, r.stdout)
            return
        }
        let golden = try #require(AnalysisCLI.golden(name), "golden \(name) (rerun with FRAMECUT_UPDATE_GOLDEN=1)")
        #expect(r.stdout == golden)
    }

    /// Two clusterings and classes of 12 named images.
    static func writeClusterings(_ dir: String) throws {
        let names = (0..<12).map { "photos/img\($0).jpg" }
        let a = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3]
        let b = [5, 5, 5, 5, 6, 6, 6, 7, 7, 7, 7, 7]
        let classes = ["cat", "cat", "cat", "cat", "dog", "dog", "dog", "dog", "fox", "fox", "fox", "fox"]
        try AnalysisCLI.write("name,cluster\n" + zip(names, a).map { "\($0),\($1)\n" }.joined(), dir + "/a.csv")
        // Another order, and a folder as `framecut cluster` writes it.
        try FileManager.default.createDirectory(atPath: dir + "/runB", withIntermediateDirectories: true)
        try AnalysisCLI.write("name,cluster\n" + zip(names, b).reversed().map { "\($0),\($1)\n" }.joined(), dir + "/runB/clusters.csv")
        try AnalysisCLI.write("name,class\n" + zip(names, classes).map { "\($0),\($1)\n" }.joined() + "other.jpg,cat\n", dir + "/classes.csv")
    }

    @Test func statsCompareOverlapEndToEnd() throws {
        let dir = try AnalysisCLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeClusterings(dir)

        let stats = try AnalysisCLI.run(["stats", "a.csv", "--labels", "classes.csv", "--top", "2", "--out", "s"], in: dir)
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains("a.csv: 12 items in 4 clusters"))
        #expect(stats.stdout.contains("clean clusters: 3 of 4"))
        for file in ["stats.json", "cluster_sizes.csv", "contingency.csv"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/s/" + file))
        }
        let json = try AnalysisCLI.run(["stats", "a.csv", "--json"], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["clusters"] as? Int == 4 && object?["singleton_clusters"] as? Int == 1)

        let compare = try AnalysisCLI.run(["compare", "a.csv", "runB", "--names", "A,B", "--out", "c", "--log-base", "bits"], in: dir)
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stdout.contains("VI (bits)"))
        let vi = try String(contentsOfFile: dir + "/c/vi.csv", encoding: .utf8)
        #expect(vi.hasPrefix(",A,B\nA,0,"))

        let overlap = try AnalysisCLI.run(["overlap", "a.csv", "runB", "--threshold", "0.75", "--out", "o"], in: dir)
        #expect(overlap.status == 0, "\(overlap.stderr)")
        #expect(overlap.stdout.contains("alike pairs"))
        let members = try String(contentsOfFile: dir + "/o/members.csv", encoding: .utf8)
        #expect(members.hasPrefix("cluster_a,cluster_b,item,side\n"))
        #expect(members.contains("0,5,photos/img0.jpg,shared"))
    }

    @Test func clearErrors() throws {
        let dir = try AnalysisCLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeClusterings(dir)
        try AnalysisCLI.write("name,cluster\nphotos/img0.jpg,0\nunknown.jpg,1\n", dir + "/partial.csv")
        let mismatch = try AnalysisCLI.run(["compare", "a.csv", "partial.csv"], in: dir)
        #expect(mismatch.status != 0)
        #expect(mismatch.stderr.contains("names do not match") && mismatch.stderr.contains("11 name(s) of a.csv are missing"))
        #expect(mismatch.stderr.contains("'unknown.jpg'"))
        let shared = try AnalysisCLI.run(["compare", "a.csv", "partial.csv", "--intersection"], in: dir)
        #expect(shared.status == 0 && shared.stdout.contains("1 items"))

        try AnalysisCLI.write("name,class\nphotos/img0.jpg,cat\n", dir + "/few.csv")
        let missing = try AnalysisCLI.run(["stats", "a.csv", "--labels", "few.csv"], in: dir)
        #expect(missing.status != 0 && missing.stderr.contains("no class for 11 item(s)"))

        try AnalysisCLI.write("name,cluster\n", dir + "/empty.csv")
        let empty = try AnalysisCLI.run(["stats", "empty.csv"], in: dir)
        #expect(empty.status != 0 && empty.stderr.contains("empty clustering"))

        let threshold = try AnalysisCLI.run(["overlap", "a.csv", "runB", "--threshold", "1.5"], in: dir)
        #expect(threshold.status != 0 && threshold.stderr.contains("--threshold"))

        let one = try AnalysisCLI.run(["compare", "a.csv"], in: dir)
        #expect(one.status != 0 && one.stderr.contains("at least two"))
    }

    @Test func similarityAndCalibrate() throws {
        let dir = try AnalysisCLI.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Three tight groups of 10 in 4-d.
        var values: [Float] = []
        var classes = "name,class\n"
        for i in 0..<30 {
            let g = i / 10
            var row: [Float] = [0.1, 0.1, 0.1, 0.1]
            row[g] = 1
            row[3] += Float(i % 10) * 0.01
            values += row
            classes += "img\(i).jpg,group\(g)\n"
        }
        try AnalysisCLI.writeNPY(values, rows: 30, columns: 4, to: dir + "/x.npy")
        try AnalysisCLI.write((0..<30).map { "img\($0).jpg\n" }.joined(), dir + "/names.txt")
        try AnalysisCLI.write(classes, dir + "/classes.csv")

        let sim = try AnalysisCLI.run(["similarity", "--embeddings", "x.npy", "--bins", "10", "--out", "sim"], in: dir)
        #expect(sim.status == 0, "\(sim.stderr)")
        #expect(sim.stdout.contains("435 pairs") && sim.stdout.contains("suggested cal"))
        let hist = try String(contentsOfFile: dir + "/sim/histogram_raw.csv", encoding: .utf8)
        #expect(hist.split(separator: "\n").count == 11)

        let cal = try AnalysisCLI.run(["calibrate", "--embeddings", "x.npy", "--names", "names.txt", "--labels", "classes.csv",
                                       "--val-fraction", "0.3", "--seed", "7", "--grid", "0.2,0.5,0.8", "--out", "cal"], in: dir)
        #expect(cal.status == 0, "\(cal.stderr)")
        #expect(cal.stdout.contains("21 train, 9 held out"))
        #expect(cal.stdout.contains("chosen cal:"))
        let table = try String(contentsOfFile: dir + "/cal/ablation.csv", encoding: .utf8)
        #expect(table.hasPrefix("role,cal,items,clusters,h_cluster_given_class"))
        #expect(table.contains("held_out_chosen") && table.contains("train_heuristic"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/cal/calibration.json"))) as? [String: Any])
        #expect(report["solver"] as? String == "gaec-kl")

        // The same calibration on the large-scale solver (asked for): no n^2 matrix, recorded as such.
        let large = try AnalysisCLI.run(["calibrate", "--embeddings", "x.npy", "--names", "names.txt", "--labels", "classes.csv",
                                         "--val-fraction", "0.3", "--seed", "7", "--grid", "0.2,0.5,0.8", "--solver-scale", "large", "--knn", "4",
                                         "--out", "cal-large"], in: dir)
        #expect(large.status == 0, "\(large.stderr)")
        #expect(large.stdout.contains("21 train, 9 held out") && large.stdout.contains("chosen cal:"))
        let largeReport = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/cal-large/calibration.json"))) as? [String: Any])
        #expect(largeReport["solver"] as? String == "large-scale gaec-kl k=4")

        // A train list naming unknown images is an error that shows them.
        try AnalysisCLI.write("img0.jpg\nnope.jpg\n", dir + "/train.txt")
        let bad = try AnalysisCLI.run(["calibrate", "--embeddings", "x.npy", "--names", "names.txt", "--labels", "classes.csv", "--split", "train.txt"], in: dir)
        #expect(bad.status != 0 && bad.stderr.contains("'nope.jpg'"))
        let grid = try AnalysisCLI.run(["calibrate", "--embeddings", "x.npy", "--labels", "classes.csv", "--grid", "1.5"], in: dir)
        #expect(grid.status != 0 && grid.stderr.contains("--grid"))
    }
}
