import Foundation
import Testing

/// `framecut run` on the dense and the large-scale solver gives the labels of `framecut cluster`
/// with the same flags on the same embeddings (read back from the store by `export`), and
/// refuses a budget that even the large-scale solver exceeds.
@Suite("CLI: run scales like cluster")
struct RunScaleCommandTests {
    @Test("run and cluster agree: dense and large-scale, the paper's cal and the label-free costs; run.json records the solver and why")
    func agreesWithCluster() throws {
        let weights = try EmbedCommandTests.weights()
        let folder = try RunCommandTests.folder(images: 12)
        let work = folder + "/.."
        let cases: [(String, [String])] = [
            ("dense-paper", ["--cal", "0.5"]),
            ("large-paper", ["--cal", "0.5", "--solver-scale", "large", "--knn", "4"]),
            ("large-auto", ["--solver-scale", "large", "--knn", "4"]),
            ("dense-auto", []),
        ]
        var exported = false
        for (name, flags) in cases {
            let run = try CLIHarness.run(["run", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", work + "/run-" + name,
                                          "--store", work + "/s.sqlite", "--threads", "2", "--no-report", "--calibration-grid", "none"] + flags)
            #expect(run.status == 0, "\(name): \(run.stderr)")
            if !exported {
                let export = try CLIHarness.run(["export", "--store", work + "/s.sqlite", "--model", "efficientnet-lite0", "--out", work + "/e.npy"])
                #expect(export.status == 0, "\(export.stderr)")
                exported = true
            }
            let cluster = try CLIHarness.run(["cluster", "--embeddings", work + "/e.npy", "--names", work + "/e.names.txt", "--out", work + "/cluster-" + name,
                                              "--threads", "2"] + flags)
            #expect(cluster.status == 0, "\(name): \(cluster.stderr)")
            let runLabels = try String(contentsOfFile: work + "/run-\(name)/efficientnet-lite0/clusters.csv", encoding: .utf8)
            let clusterLabels = try String(contentsOfFile: work + "/cluster-\(name)/clusters.csv", encoding: .utf8)
            #expect(runLabels == clusterLabels, "\(name): run and cluster differ")
            #expect(runLabels.split(separator: "\n").count == 13)
            let runSummary = try RunCommandTests.metadata(work + "/run-\(name)/efficientnet-lite0/summary.json")
            let clusterSummary = try RunCommandTests.metadata(work + "/cluster-\(name)/summary.json")
            #expect(runSummary["solver"] as? String == clusterSummary["solver"] as? String, "\(name)")
            let model = try #require((try RunCommandTests.metadata(work + "/run-\(name)/run.json")["models"] as? [[String: Any]])?.first)
            #expect(model["solver"] as? String == runSummary["solver"] as? String)
            let choice = try #require(model["solver_choice"] as? String)
            // cluster prints the same choice line first.
            #expect(cluster.stdout.hasPrefix(choice), "\(name): \(choice) / \(cluster.stdout)")
            #expect(run.stdout.contains("solver \(model["solver"] as? String ?? "?") (\(choice))"), "\(run.stdout)")
            if name.hasPrefix("large") {
                #expect((model["solver"] as? String)?.hasPrefix("large-scale gaec-kl k=") == true)
                #expect(model["large_scale"] != nil)
            } else {
                #expect(model["solver"] as? String == "gaec-kl" && choice.hasPrefix("dense solver: the cost matrix"))
            }
        }
    }

    @Test("a --max-memory below the large-scale estimate: one line naming the flag, exit 1, no run folder")
    func refusal() throws {
        let weights = try EmbedCommandTests.weights()
        let folder = try RunCommandTests.folder(images: 2)
        let work = folder + "/.."
        let result = try CLIHarness.run(["run", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", work + "/run",
                                         "--store", work + "/s.sqlite", "--solver-scale", "large", "--max-memory", "8M", "--quiet", "--no-report"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && result.stderr.contains("--max-memory") && result.stderr.contains("even the large-scale solver"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work + "/run"))
    }
}
