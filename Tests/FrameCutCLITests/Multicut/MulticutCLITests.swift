import Foundation
import Testing

@Suite("cluster / solve / energy / demo from the command line")
struct MulticutCLITests {
    /// Two well separated groups of four points in 3-D.
    static let groups: [Float] = [
        1, 0.1, 0, 1, 0, 0.1, 0.9, 0.1, 0.1, 1, 0.05, 0.05,
        0, 1, 0.1, 0.1, 1, 0, 0, 0.9, 0.1, 0.05, 1, 0.05,
    ]

    @Test func clusterWritesTheThreeOutputs() throws {
        let dir = try CLIHarness.temporaryFolder()
        try CLIHarness.writeNPY(Self.groups, rows: 8, columns: 3, to: "\(dir)/x.npy")
        try CLIHarness.write((0..<8).map { "img,\($0).jpg" }.joined(separator: "\n") + "\n", "\(dir)/names.txt")
        let result = try CLIHarness.run(["cluster", "--embeddings", "\(dir)/x.npy", "--names", "\(dir)/names.txt", "--cal", "0.5",
                                          "--out", "\(dir)/out", "--write-graph", "\(dir)/graph.txt"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("8 nodes -> 2 clusters"))
        let csv = try String(contentsOfFile: "\(dir)/out/clusters.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "name,cluster")
        #expect(lines[1] == "\"img,0.jpg\",0" || lines[1] == "\"img,0.jpg\",1")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/out/summary.json"))) as? [String: Any]
        for key in ["n", "clusters", "energy", "energy_gaec", "clusters_gaec", "seconds_costs", "seconds_gaec", "seconds_kl",
                    "peak_memory_bytes", "cal", "solver", "version"] {
            #expect(summary?[key] != nil, "summary.json lacks \(key)")
        }
        #expect(FileManager.default.fileExists(atPath: "\(dir)/out/labels.npy"))

        // The exported graph solves to the same clustering and energy.
        let solved = try CLIHarness.run(["solve", "--graph", "\(dir)/graph.txt", "--cal", "0.5", "--out", "\(dir)/solved"])
        #expect(solved.status == 0, "\(solved.stderr)")
        #expect(try String(contentsOfFile: "\(dir)/solved/clusters.csv", encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").last! }
                == lines.dropFirst().map { $0.split(separator: ",").last! })

        // energy of the written labels equals the reported energy.
        let energy = try CLIHarness.run(["energy", "--embeddings", "\(dir)/x.npy", "--labels", "\(dir)/out/labels.npy", "--cal", "0.5", "--json"])
        #expect(energy.status == 0)
        let reported = summary?["energy"] as? Double ?? .nan
        let recomputed = (try JSONSerialization.jsonObject(with: Data(energy.stdout.utf8)) as? [String: Any])?["energy"] as? Double ?? 0
        #expect(abs(reported - recomputed) < 1e-9 * max(1, abs(reported)))
    }

    @Test("bad input: one clear line and a non-zero exit")
    func badInput() throws {
        let dir = try CLIHarness.temporaryFolder()
        try CLIHarness.writeNPY(Self.groups, rows: 8, columns: 3, to: "\(dir)/x.npy")
        var withNaN = Self.groups
        withNaN[7] = .nan
        try CLIHarness.writeNPY(withNaN, rows: 8, columns: 3, to: "\(dir)/nan.npy")
        var withZero = Self.groups
        for i in 6..<9 { withZero[i] = 0 }
        try CLIHarness.writeNPY(withZero, rows: 8, columns: 3, to: "\(dir)/zero.npy")
        try CLIHarness.writeNPY([1, 2, 3], rows: 1, columns: 3, to: "\(dir)/one.npy")
        try CLIHarness.write("a\nb\n", "\(dir)/names.txt")
        try CLIHarness.write("3 2\n0 1 0.5\n0 7 0.5\n", "\(dir)/range.txt")
        try CLIHarness.write("3 2\n0 1 0.5\n1 2\n", "\(dir)/short.txt")
        let cases: [([String], String)] = [
            (["cluster", "--embeddings", "\(dir)/nan.npy", "--cal", "0.5", "--out", dir], "NaN"),
            (["cluster", "--embeddings", "\(dir)/zero.npy", "--cal", "0.5", "--out", dir], "row 2 is all zeros"),
            (["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "1.2", "--out", dir], "strictly between 0 and 1"),
            (["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "0.5", "--names", "\(dir)/names.txt", "--out", dir], "2 names for 8 embedding rows"),
            (["cluster", "--embeddings", "\(dir)/one.npy", "--cal", "0.5", "--out", dir], "at least 2"),
            (["cluster", "--embeddings", "\(dir)/missing.npy", "--cal", "0.5", "--out", dir], "no such file"),
            (["solve", "--graph", "\(dir)/range.txt", "--cal", "0.5", "--out", dir], "line 3: node id 7 is out of range"),
            (["solve", "--graph", "\(dir)/short.txt", "--cal", "0.5", "--out", dir], "line 3:"),
            (["solve", "--graph", "\(dir)/short.txt", "--out", dir], "exactly one of --cal"),
            (["cluster", "--embeddings", "\(dir)/x.npy", "--cal", "0.5", "--max-memory", "1K", "--out", dir], "--max-memory"),
        ]
        for (arguments, message) in cases {
            let result = try CLIHarness.run(arguments)
            #expect(result.status != 0, "\(arguments) succeeded")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }

    @Test("--help is part of the interface", arguments: ["cluster", "solve", "energy", "demo"])
    func helpMatchesGolden(command: String) throws {
        let result = try CLIHarness.run([command, "--help"])
        #expect(result.status == 0)
        #expect(try CLIHarness.matchesGolden(result.stdout, group: "multicut", name: "\(command)-help.txt"),
                "regenerate with FRAMECUT_UPDATE_GOLDEN=1 if the change is intended")
    }
}
