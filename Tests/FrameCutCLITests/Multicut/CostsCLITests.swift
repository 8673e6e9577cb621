import Foundation
import Testing

@Suite("cluster --costs: the label-free default and the paper's costs")
struct CostsCLITests {
    /// Three groups of eight points in 4-D, in a positive cone.
    static func groups() -> [Float] {
        var values = [Float]()
        let centres: [[Float]] = [[3, 1, 1, 1], [1, 3, 1, 1], [1, 1, 3, 1]]
        for (g, centre) in centres.enumerated() {
            for p in 0..<8 {
                for c in 0..<4 { values.append(centre[c] + 0.05 * Float((p * 7 + c * 3 + g) % 5)) }
            }
        }
        return values
    }

    static func summary(_ folder: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/summary.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    @Test func clusterWithoutCalUsesAutoAndRecordsIt() throws {
        let dir = try CLIHarness.temporaryFolder()
        try CLIHarness.writeNPY(Self.groups(), rows: 24, columns: 4, to: "\(dir)/x.npy")
        let result = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--out", "\(dir)/auto"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("costs: fuzzy-modularity"))
        #expect(result.stdout.contains("24 nodes -> 3 clusters"))
        let summary = try Self.summary("\(dir)/auto")
        let costs = summary["costs"] as? [String: Any]
        #expect(costs?["model"] as? String == "fuzzy-modularity")
        let parameters = costs?["parameters"] as? [String: Double]
        #expect(parameters?["neighbours"] == 15)
        #expect(parameters?["resolution"] == 1)
        #expect((parameters?["total_degree"] ?? 0) > 0)
        #expect(summary["cal"] == nil || summary["cal"] is NSNull)
        // Deterministic: the same run gives the same files.
        let again = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--out", "\(dir)/again"])
        #expect(again.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/auto/labels.npy")) == Data(contentsOf: URL(fileURLWithPath: "\(dir)/again/labels.npy")))
    }

    @Test func paperCostsWithAndWithoutCal() throws {
        let dir = try CLIHarness.temporaryFolder()
        try CLIHarness.writeNPY(Self.groups(), rows: 24, columns: 4, to: "\(dir)/x.npy")
        let fixed = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "0.5", "--out", "\(dir)/cal"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let fixedSummary = try Self.summary("\(dir)/cal")
        #expect(fixedSummary["cal"] as? Double == 0.5)
        #expect((fixedSummary["costs"] as? [String: Any])?["model"] as? String == "paper")
        let heuristic = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--costs", "paper", "--out", "\(dir)/heuristic"])
        #expect(heuristic.status == 0, "\(heuristic.stderr)")
        let summary = try Self.summary("\(dir)/heuristic")
        let costs = summary["costs"] as? [String: Any]
        #expect(costs?["model"] as? String == "paper-heuristic")
        let parameters = costs?["parameters"] as? [String: Double] ?? [:]
        let mu = parameters["mu"] ?? .nan, cal = parameters["cal"] ?? .nan
        #expect(abs(cal - min(max(0.94 - 0.98 * mu, 0.01), 0.99)) < 1e-12)
        #expect(summary["cal"] as? Double == cal)
    }

    @Test func conflictingFlagsAreOneLineErrors() throws {
        let dir = try CLIHarness.temporaryFolder()
        try CLIHarness.writeNPY(Self.groups(), rows: 24, columns: 4, to: "\(dir)/x.npy")
        let cases: [([String], String)] = [
            (["--costs", "auto", "--cal", "0.5"], "--cal applies"),
            (["--costs", "fancy"], "fancy"),
            (["--neighbours", "0"], "--neighbours"),
            (["--resolution", "-1"], "--resolution"),
            (["--write-graph", "\(dir)/g.txt"], "--write-graph"),
        ]
        for (flags, needle) in cases {
            let result = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--out", "\(dir)/o"] + flags)
            #expect(result.status != 0, "\(flags)")
            #expect(result.stderr.contains(needle), "\(flags): \(result.stderr)")
        }
    }
}
