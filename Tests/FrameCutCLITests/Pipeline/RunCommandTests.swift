import Foundation
import Testing
import FrameCutIO
import FrameCutTestSupport

/// `framecut run`, `export`, `import` and the store under `embed`, end to end with the real
/// EfficientNet-Lite0 weights, including SIGKILL and Ctrl-C in the middle of a run.
@Suite("CLI: run, store, kill and resume")
struct RunCommandTests {
    /// A 24-bit BMP whose pixels depend on `seed`.
    static func bmp(seed: Int, size: Int = 40) -> Data {
        TestImages.bmp(size: size) { x, y in
            (UInt8((x * (seed + 2) + y * 5) & 255), UInt8((y * (seed % 6 + 1) * 13 + seed * 31) & 255), UInt8(((x ^ y) * (seed % 5 + 3)) & 255))
        }
    }

    static func folder(images: Int) throws -> String {
        let folder = try CLIHarness.temporaryFolder() + "/images"
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        for i in 0..<images {
            try bmp(seed: i).write(to: URL(fileURLWithPath: folder + (i % 2 == 0 ? "/" : "/sub/") + String(format: "img%02d.bmp", i)))
        }
        return folder
    }

    /// Starts `framecut ARGS` without waiting.
    static func start(_ arguments: [String]) throws -> Process {
        let binary = try #require(CLIHarness.binary)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["FRAMECUT_PROGRESS"] = "0"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Embeddings committed so far in the store at `path` (0 before the model row exists),
    /// read without writing anything, so watching never competes with the writer for a lock.
    static func committed(_ path: String) -> Int {
        guard FileManager.default.fileExists(atPath: path),
              let store = try? EmbeddingStore(url: URL(fileURLWithPath: path), access: .readOnly),
              let model = try? store.models().first else { return 0 }
        return (try? store.embeddingCount(model: model)) ?? 0
    }

    /// The state letter of process `pid` in /proc (R, S, T, Z, ...), nil once it is gone.
    static func state(_ pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[close...].dropFirst().first { $0 != " " }
    }

    /// Lets the child run in short slices (SIGCONT, 20 ms, SIGSTOP) and reads the store only
    /// while it is stopped, so it cannot finish unseen however fast the machine or however busy
    /// the test process. Once a batch is committed, sends `signal` (and SIGCONT, so that a
    /// catchable signal is delivered); returns the child's status.
    static func interrupt(_ process: Process, store: String, with signal: Int32) throws -> (status: Int32, reason: Process.TerminationReason, committedAtSignal: Int) {
        let pid = process.processIdentifier
        let deadline = Date().addingTimeInterval(300)
        var seen = 0
        while process.isRunning, Date() < deadline {
            usleep(20_000)
            kill(pid, SIGSTOP)
            while let now = state(pid), now != "T", now != "Z", now != "X" { usleep(200) }
            guard process.isRunning, state(pid) == "T" else { break }
            seen = committed(store)
            if seen >= 1 {
                kill(pid, signal)
                kill(pid, SIGCONT)
                process.waitUntilExit()
                return (process.terminationStatus, process.terminationReason, seen)
            }
            kill(pid, SIGCONT)
        }
        kill(pid, SIGCONT)
        try #require(Bool(false), "the child finished or timed out before a committed batch was seen (committed \(seen))")
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, seen)
    }

    static func metadata(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    @Test("SIGKILL midway loses at most the batch in flight; the restart embeds each image once and equals an uninterrupted run bit for bit; Ctrl-C commits and exits 130; renames recompute nothing")
    func killAndResume() throws {
        let weights = try EmbedCommandTests.weights()
        let count = 24
        let folder = try Self.folder(images: count)
        let work = folder + "/.."
        func embed(_ store: String, _ out: String) -> [String] {
            ["embed", folder, "--model", "efficientnet-lite0", "--weights", weights, "--store", work + "/" + store, "--out", work + "/" + out,
             "--batch", "1", "--threads", "1"]
        }
        let reference = try CLIHarness.run(embed("ref.sqlite", "ref.npy"))
        #expect(reference.status == 0, "\(reference.stderr)")
        let referenceBytes = try Data(contentsOf: URL(fileURLWithPath: work + "/ref.npy"))

        // SIGKILL after the first committed batch
        let killed = try Self.interrupt(try Self.start(embed("s.sqlite", "out.npy")), store: work + "/s.sqlite", with: SIGKILL)
        #expect(killed.reason == .uncaughtSignal && killed.status == SIGKILL)
        let afterKill = Self.committed(work + "/s.sqlite")
        #expect(afterKill >= 1 && afterKill < count, "committed \(afterKill) of \(count)")
        #expect(!FileManager.default.fileExists(atPath: work + "/out.npy"))
        let resumed = try CLIHarness.run(embed("s.sqlite", "out.npy"))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Self.metadata(work + "/out.json")["computed"] as? Int == count - afterKill, "each image embedded exactly once")
        #expect(Self.committed(work + "/s.sqlite") == count)
        #expect(try Data(contentsOf: URL(fileURLWithPath: work + "/out.npy")) == referenceBytes)

        // Ctrl-C: the batch in flight is committed, a message, exit status 130
        let interrupted = try Self.interrupt(try Self.start(embed("c.sqlite", "c.npy")), store: work + "/c.sqlite", with: SIGINT)
        #expect(interrupted.reason == .exit && interrupted.status == 130)
        let afterInterrupt = Self.committed(work + "/c.sqlite")
        #expect(afterInterrupt >= interrupted.committedAtSignal && afterInterrupt >= 1)
        let finished = try CLIHarness.run(embed("c.sqlite", "c.npy"))
        #expect(try Self.metadata(work + "/c.json")["computed"] as? Int == count - afterInterrupt)
        #expect(finished.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: work + "/c.npy")) == referenceBytes)

        // Rename half of the files: nothing is recomputed, the rows follow the new names.
        for i in stride(from: 0, to: count, by: 2) {
            try FileManager.default.moveItem(atPath: folder + String(format: "/img%02d.bmp", i), toPath: folder + String(format: "/sub/renamed%02d.bmp", i))
        }
        let renamed = try CLIHarness.run(embed("s.sqlite", "renamed.npy"))
        #expect(renamed.status == 0, "\(renamed.stderr)")
        #expect(try Self.metadata(work + "/renamed.json")["computed"] as? Int == 0)
        let names = try String(contentsOfFile: work + "/renamed.names.txt", encoding: .utf8)
        #expect(names.contains("sub/renamed00.bmp") && !names.contains("\nimg00.bmp"))
    }

    @Test("run: clusters, statistics, label agreement, two models compared, skipped files listed; an existing folder needs --force")
    func runEndToEnd() throws {
        let weights = try EmbedCommandTests.weights()
        let folder = try Self.folder(images: 2)
        let work = folder + "/.."
        try FileManager.default.copyItem(atPath: EmbedCommandTests.testData + "/chelsea.png", toPath: folder + "/chelsea.png")
        try FileManager.default.copyItem(atPath: EmbedCommandTests.testData + "/coffee.png", toPath: folder + "/coffee.png")
        try CLIHarness.write("this is not a JPEG", folder + "/broken.jpg")
        try CLIHarness.write("", folder + "/sub/empty.png")
        try CLIHarness.write("name,class\nimg00.bmp,pattern\nsub/img01.bmp,pattern\nchelsea.png,cat\ncoffee.png,cup\n", work + "/labels.csv")
        let arguments = ["run", folder, "--model", "efficientnet-lite0", "--weights", weights, "--model", "efficientnet-lite0", "--weights", weights,
                         "--labels", work + "/labels.csv", "--out", work + "/run", "--store", work + "/s.sqlite", "--threads", "2"]
        let result = try CLIHarness.run(arguments + ["--log-json"])
        #expect(result.status == 3, "completed with skipped files: \(result.stderr)")
        #expect(result.stdout.contains("efficientnet-lite0: 4 images (4 embedded now, 0 from the store)"), "\(result.stdout)")
        #expect(result.stdout.contains("efficientnet-lite0-2: 4 images (0 embedded now, 4 from the store)"))
        #expect(result.stdout.contains("against the 3 classes of the labels: VI"))
        #expect(result.stdout.contains("efficientnet-lite0 vs efficientnet-lite0-2: VI 0.000 nats, ARI 1.000"))
        let events = result.stderr.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(events.count == result.stderr.split(separator: "\n").count, "every stderr line is JSON: \(result.stderr)")
        #expect(events.contains { $0["event"] as? String == "done" && $0["skipped"] as? Int == 2 })

        let run = try Self.metadata(work + "/run/run.json")
        let skipped = try #require(run["skipped"] as? [[String: String]])
        #expect(Set(skipped.map { $0["name"] ?? "" }) == ["broken.jpg", "sub/empty.png"])
        #expect(skipped.allSatisfy { !($0["reason"] ?? "").isEmpty })
        let models = try #require(run["models"] as? [[String: Any]])
        #expect(models.count == 2)
        #expect((models[0]["cal_source"] as? String)?.hasPrefix("not used: label-free costs") == true)
        #expect((models[0]["costs"] as? [String: Any])?["model"] as? String == "fuzzy-modularity")
        #expect(result.stdout.contains("costs fuzzy-modularity (edges"))
        #expect(models[0]["weights_sha256"] as? String == "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db")
        for file in ["efficientnet-lite0/clusters.csv", "efficientnet-lite0/labels.npy", "efficientnet-lite0/summary.json",
                     "efficientnet-lite0-2/stats.json", "compare/vi.csv", "compare/overlap-efficientnet-lite0-vs-efficientnet-lite0-2/overlap.json"] {
            #expect(FileManager.default.fileExists(atPath: work + "/run/" + file), "\(file)")
        }

        let exists = try CLIHarness.run(arguments)
        #expect(exists.status == 1 && exists.stderr.contains("already exists; pass --force"), "\(exists.stderr)")
        let forced = try CLIHarness.run(arguments + ["--force", "--cal", "0.5", "--quiet"])
        #expect(forced.status == 3)
        #expect(forced.stderr.isEmpty, "--quiet: \(forced.stderr)")
        #expect(forced.stdout.contains("cal 0.5000 (given (--cal 0.5))"))
        let paper = try CLIHarness.run(arguments + ["--force", "--costs", "paper", "--quiet", "--no-report"])
        #expect(paper.status == 3 && paper.stdout.contains("(heuristic 0.94 - 0.98 mu"), "\(paper.stdout)")
        let paperRun = try Self.metadata(work + "/run/run.json")
        #expect(((paperRun["models"] as? [[String: Any]])?.first?["costs"] as? [String: Any])?["model"] as? String == "paper-heuristic")
        let both = try CLIHarness.run(arguments + ["--force", "--costs", "auto", "--cal", "0.5"])
        #expect(both.status != 0 && both.stderr.contains("--cal applies to the paper's costs"), "\(both.stderr)")
        let badCal = try CLIHarness.run(["run", folder, "--model", "efficientnet-lite0", "--weights", weights, "--out", work + "/x", "--cal", "2", "--store", work + "/s.sqlite"])
        #expect(badCal.status == 1 && badCal.stderr.contains("--cal: '2' is neither"))
    }

    @Test("import: rows from elsewhere keyed by file content; export gives them back")
    func importExport() throws {
        let folder = try Self.folder(images: 3)
        let work = folder + "/.."
        let values: [Float] = (0..<12).map { Float($0) * 0.25 - 1 }
        try CLIHarness.writeNPY(values, rows: 3, columns: 4, to: work + "/py.npy")
        try CLIHarness.write("img00.bmp\nsub/img01.bmp\nimg02.bmp\n", work + "/py.names.txt")
        let sha = String(repeating: "1", count: 64)
        let imported = try CLIHarness.run(["import", work + "/py.npy", "--names", work + "/py.names.txt", "--folder", folder,
                                           "--store", work + "/s.sqlite", "--model", "my-model", "--weights-sha", sha])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported 3 embeddings of my-model/default@111111111111"))
        let exported = try CLIHarness.run(["export", "--store", work + "/s.sqlite", "--model", "my-model", "--out", work + "/back.npy"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(try String(contentsOfFile: work + "/back.names.txt", encoding: .utf8) == "img00.bmp\nimg02.bmp\nsub/img01.bmp\n")
        let back = try NPYFile.read(contentsOf: URL(fileURLWithPath: work + "/back.npy")).floatValues()
        #expect(back == Array(values[0..<4]) + Array(values[8..<12]) + Array(values[4..<8]))
        let missing = try CLIHarness.run(["export", "--store", work + "/s.sqlite", "--model", "resnet50", "--out", work + "/none.npy"])
        #expect(missing.status == 1 && missing.stderr.contains("no embeddings of resnet50; stored: my-model/default@111111111111"), "\(missing.stderr)")
        let nan = try CLIHarness.run(["import", work + "/py.npy", "--names", work + "/py.names.txt", "--folder", folder,
                                      "--store", work + "/s.sqlite", "--model", "my-model"])
        #expect(nan.status != 0 && nan.stderr.contains("either --weights or --weights-sha"))
    }

    @Test("--help of run, export and import")
    func help() throws {
        for command in ["run", "export", "import"] {
            let help = try CLIHarness.run([command, "--help"])
            #expect(try CLIHarness.matchesGolden(help.stdout, group: "pipeline", name: "\(command)-help.txt"), "\(command) --help changed")
        }
    }
}
