import Foundation
import Testing

/// Runs the adversarial corpus through every command: each case must end with exit 0 and a
/// correct result, exit 1 and one line `error: ...` naming the problem, or (a flag that
/// cannot be valid) ArgumentParser's exit 64 whose first line says which flag. Never a
/// signal, a hang (per-case time limit), more memory than the budget, or a changed input.
@Suite("Adversarial corpus through the CLI", .serialized)
struct AdversarialCLITests {
    enum Outcome {
        /// Exit 0.
        case ok
        /// Exit 1 and one line on stderr containing the text.
        case refused(String)
        /// Exit 64 (a flag rejected in validate()), the first line containing the text.
        case invalidFlag(String)
    }

    struct Case: CustomStringConvertible {
        let arguments: [String]
        let outcome: Outcome
        var description: String { arguments.joined(separator: " ") }
    }

    static let timeLimit: TimeInterval = 30

    /// All the cases; `c` is the corpus folder, `o` a fresh output folder.
    static func cases(_ c: AdversarialCorpus, _ o: String) -> [Case] {
        func cluster(_ embeddings: String, _ extra: [String], out: String = "run", _ outcome: Outcome) -> Case {
            Case(arguments: ["cluster", "--embeddings", c.path(embeddings), "--cal", "0.5", "--max-memory", "512M", "--out", o + "/" + out] + extra, outcome: outcome)
        }
        func cluster(_ embeddings: String, out: String = "run", _ outcome: Outcome) -> Case {
            cluster(embeddings, [], out: out, outcome)
        }
        let x = c.path("x.npy")
        var all: [Case] = [
            // Embeddings files.
            cluster("x.npy", ["--names", c.path("names.txt")], .ok),
            cluster("x.npz", out: "run_npz", .ok),
            cluster("x_link.npy", out: "run_link", .ok),
            cluster("huge_shape.npy", .refused("huge_shape.npy")),
            cluster("overflow_shape.npy", .refused("overflow_shape.npy")),
            cluster("negative_shape.npy", .refused("negative_shape.npy")),
            cluster("truncated.npy", .refused("truncated.npy")),
            cluster("bad_magic.npy", .refused("bad_magic.npy")),
            cluster("header_past_end.npy", .refused("header_past_end.npy")),
            cluster("empty.npy", .refused("empty.npy")),
            cluster("nan.npy", .refused("row 5")),
            cluster("inf.npy", .refused("row 7")),
            cluster("zero_row.npy", .refused("row 3")),
            cluster("identical.npy", .refused("all pairwise cosine similarities are equal")),
            cluster("one_row.npy", .refused("one_row.npy")),
            cluster("three_d.npy", .refused("2-D")),
            cluster("fortran.npy", .refused("Fortran")),
            cluster("object.npy", .refused("object")),
            cluster("big_endian.npy", .refused("big-endian")),
            cluster("flipped.npz", .refused("CRC-32")),
            cluster("bomb.npz", ["--max-memory", "16M"], .refused("memory limit")),
            cluster("liar.npz", .refused("declared")),
            cluster("not_a_zip.npz", .refused("not_a_zip.npz")),
            cluster("fifo", .refused("FIFO")),
            cluster("a_folder", .refused("folder")),
            Case(arguments: ["cluster", "--embeddings", "/dev/zero", "--cal", "0.5", "--out", o + "/z"], outcome: .refused("/dev/zero")),
            // Names files.
            cluster("x.npy", ["--names", c.path("names_crlf_bom.txt")], out: "run_crlf", .ok),
            cluster("x.npy", ["--names", c.path("names_escaped.txt")], out: "run_escaped", .ok),
            cluster("x.npy", ["--names", c.path("names_dup.txt")], .refused("already appeared")),
            cluster("x.npy", ["--names", c.path("names_blank.txt")], .refused("empty name")),
            cluster("x.npy", ["--names", c.path("names_short.txt")], .refused("names_short.txt")),
            cluster("x.npy", ["--names", c.path("names_latin1.txt")], .refused("UTF-8")),
            cluster("x.npy", ["--names", "/dev/zero"], .refused("/dev/zero")),
            cluster("x.npy", ["--names", c.path("fifo")], .refused("FIFO")),
            // Outputs that would destroy inputs or are not files.
            cluster("x.npy", ["--write-graph", x], out: "run_g", .refused("refusing to write over an input")),
            cluster("x.npy", ["--write-graph", c.path("x_link.npy")], out: "run_g2", .refused("refusing to write over an input")),
            cluster("x.npy", ["--names", c.path("names.txt"), "--write-graph", c.path("names.txt")], out: "run_g3", .refused("refusing to write over an input")),
            cluster("x.npy", ["--write-graph", o + "/run_g4/labels.npy"], out: "run_g4", .refused("are the same file")),
            cluster("x.npy", ["--write-graph", "/dev/null"], out: "run_g5", .refused("not a regular file")),
            cluster("x.npy", ["--write-graph", c.path("fifo")], out: "run_g6", .refused("FIFO")),
            Case(arguments: ["cluster", "--embeddings", x, "--cal", "0.5", "--out", x], outcome: .refused("not a folder")),
            Case(arguments: ["cluster", "--embeddings", x, "--cal", "0.5", "--out", "/dev/null"], outcome: .refused("not a folder")),
            Case(arguments: ["cluster", "--embeddings", x, "--cal", "0.5", "--out", c.path("fifo_out")], outcome: .refused("FIFO")),
            Case(arguments: ["cluster", "--embeddings", x, "--cal", "0.5", "--out", o + "/" + String(repeating: "a", count: 300)], outcome: .refused("File name too long")),
            Case(arguments: ["cluster", "--embeddings", x, "--cal", "0.5", "--out", x + "/sub"], outcome: .refused("x.npy")),
            // Hostile flag values.
            cluster("x.npy", ["--max-memory", "1K"], out: "run_m", .refused("limit")),
            cluster("x.npy", ["--max-memory", "lots"], out: "run_m2", .invalidFlag("--max-memory")),
            cluster("x.npy", ["--max-memory", "1e30G"], out: "run_m3", .invalidFlag("--max-memory")),
            cluster("x.npy", ["--threads", "0"], out: "run_t", .invalidFlag("--threads")),
            cluster("x.npy", ["--threads", "99999999999"], out: "run_t2", .invalidFlag("--threads")),
            cluster("x.npy", ["--kl-patience", "0"], out: "run_k", .invalidFlag("--kl-patience")),
            Case(arguments: ["cluster", "--embeddings", x, "--cal", "nan", "--out", o + "/c"], outcome: .refused("cal")),
            Case(arguments: ["cluster", "--embeddings", x, "--cal", "1", "--out", o + "/c"], outcome: .refused("cal")),
            Case(arguments: ["cluster", "--embeddings", x, "--cal=-0.5", "--out", o + "/c"], outcome: .refused("cal")),
            Case(arguments: ["cluster", "--embeddings", x, "--cal", "0.5", "--solver", "magic", "--out", o + "/c"], outcome: .invalidFlag("solver")),
            // solve.
            Case(arguments: ["solve", "--graph", c.path("graph.txt"), "--cal", "0.5", "--out", o + "/solve"], outcome: .ok),
            Case(arguments: ["solve", "--graph", c.path("graph_crlf_bom.txt"), "--cal", "0.5", "--out", o + "/solve_crlf"], outcome: .ok),
            Case(arguments: ["solve", "--graph", c.path("graph_huge_edges.txt"), "--cal", "0.5", "--out", o + "/s"], outcome: .refused("1000000000000 edges")),
            Case(arguments: ["solve", "--graph", c.path("graph_huge_nodes.txt"), "--cal", "0.5", "--out", o + "/s"], outcome: .refused("nodes")),
            Case(arguments: ["solve", "--graph", c.path("graph_many_nodes.txt"), "--cal", "0.5", "--max-memory", "64M", "--out", o + "/s"], outcome: .refused("--max-memory")),
            Case(arguments: ["solve", "--graph", c.path("graph_out_of_range.txt"), "--cal", "0.5", "--out", o + "/s"], outcome: .refused("line 2")),
            Case(arguments: ["solve", "--graph", c.path("graph_nan.txt"), "--raw-costs", "--out", o + "/s"], outcome: .refused("line 2")),
            Case(arguments: ["solve", "--graph", c.path("graph_p_above_one.txt"), "--cal", "0.5", "--out", o + "/s"], outcome: .refused("line 2")),
            Case(arguments: ["solve", "--graph", c.path("graph_self_loop.txt"), "--cal", "0.5", "--out", o + "/s"], outcome: .refused("self-loop")),
            Case(arguments: ["solve", "--graph", c.path("graph_garbage.txt"), "--cal", "0.5", "--out", o + "/s"], outcome: .refused("line 1")),
            Case(arguments: ["solve", "--graph", c.path("graph_empty.txt"), "--cal", "0.5", "--out", o + "/s"], outcome: .refused("line 1")),
            Case(arguments: ["solve", "--graph", c.path("graph_digits.txt"), "--cal", "0.5", "--out", o + "/s"], outcome: .refused("line 1")),
            Case(arguments: ["solve", "--graph", "/dev/zero", "--cal", "0.5", "--out", o + "/s"], outcome: .refused("/dev/zero")),
            Case(arguments: ["solve", "--graph", c.path("graph.txt"), "--cal", "0.5", "--out", c.path("graph.txt")], outcome: .refused("not a folder")),
            // energy.
            Case(arguments: ["energy", "--embeddings", x, "--labels", o + "/run/labels.npy", "--cal", "0.5"], outcome: .ok),
            Case(arguments: ["energy", "--embeddings", x, "--labels", c.path("int_labels.npy"), "--cal", "0.5"], outcome: .refused("labels")),
            Case(arguments: ["energy", "--embeddings", x, "--labels", x, "--cal", "0.5"], outcome: .refused("x.npy")),
            Case(arguments: ["energy", "--embeddings", x, "--labels", o + "/run/labels.npy", "--cal", "0.5", "--threads", "0"], outcome: .invalidFlag("--threads")),
            // demo.
            Case(arguments: ["demo", "--count", "60", "--dimension", "8", "--classes", "3", "--out", o + "/demo"], outcome: .ok),
            Case(arguments: ["demo", "--dimension", "100000000", "--out", o + "/demo2"], outcome: .refused("limit")),
            Case(arguments: ["demo", "--count", "1000000000000", "--out", o + "/demo2"], outcome: .refused("limit")),
            Case(arguments: ["demo", "--count", "4000", "--max-memory", "8M", "--out", o + "/demo2"], outcome: .refused("limit")),
            Case(arguments: ["demo", "--count", "1", "--out", o + "/demo2"], outcome: .invalidFlag("--count")),
            Case(arguments: ["demo", "--classes", "0", "--out", o + "/demo2"], outcome: .invalidFlag("--classes")),
            Case(arguments: ["demo", "--cal", "7", "--out", o + "/demo2"], outcome: .invalidFlag("--cal")),
            Case(arguments: ["demo", "--count", "50", "--dimension", "4", "--out", x], outcome: .refused("not a folder")),
            // similarity.
            Case(arguments: ["similarity", "--embeddings", x, "--bins", "20", "--out", o + "/sim"], outcome: .ok),
            Case(arguments: ["similarity", "--embeddings", x, "--bins", "2000000000"], outcome: .invalidFlag("--bins")),
            Case(arguments: ["similarity", "--embeddings", x, "--bins", "0"], outcome: .invalidFlag("--bins")),
            Case(arguments: ["similarity", "--embeddings", x, "--kde-points", "1"], outcome: .invalidFlag("--kde-points")),
            Case(arguments: ["similarity", "--embeddings", x, "--block-rows", "-1"], outcome: .invalidFlag("--block-rows")),
            Case(arguments: ["similarity", "--embeddings", c.path("identical.npy")], outcome: .refused("all pairwise cosine similarities are equal")),
            Case(arguments: ["similarity", "--embeddings", c.path("nan.npy")], outcome: .refused("row 5")),
            Case(arguments: ["similarity", "--embeddings", c.path("flipped.npz")], outcome: .refused("CRC-32")),
            Case(arguments: ["similarity", "--embeddings", x, "--out", x], outcome: .refused("not a folder")),
            // calibrate.
            Case(arguments: ["calibrate", "--embeddings", x, "--names", c.path("names.txt"), "--labels", c.path("labels.csv"), "--grid", "0.3,0.5", "--val-fraction", "0", "--out", o + "/cal"], outcome: .ok),
            Case(arguments: ["calibrate", "--embeddings", x, "--names", c.path("names_crlf_bom.txt"), "--labels", c.path("labels_crlf_bom.csv"), "--grid", "0.5", "--val-fraction", "0"], outcome: .ok),
            Case(arguments: ["calibrate", "--embeddings", x, "--names", c.path("names.txt"), "--labels", c.path("labels.csv"), "--grid", "0.3:0.7:1e-12"], outcome: .refused("grid")),
            Case(arguments: ["calibrate", "--embeddings", x, "--names", c.path("names.txt"), "--labels", c.path("labels.csv"), "--grid", "nan:0.7:0.1"], outcome: .refused("grid")),
            Case(arguments: ["calibrate", "--embeddings", x, "--names", c.path("names.txt"), "--labels", c.path("labels.csv"), "--grid", "2"], outcome: .refused("grid")),
            Case(arguments: ["calibrate", "--embeddings", x, "--names", c.path("names.txt"), "--labels", c.path("labels.csv"), "--val-fraction", "1.5"], outcome: .invalidFlag("--val-fraction")),
            Case(arguments: ["calibrate", "--embeddings", x, "--names", c.path("names.txt"), "--labels", c.path("labels.csv"), "--concurrent-solves", "0"], outcome: .invalidFlag("--concurrent-solves")),
            Case(arguments: ["bench", "analysis", "--items", "1000000000000", "--dimension", "768"], outcome: .invalidFlag("--items")),
            Case(arguments: ["calibrate", "--embeddings", x, "--names", c.path("names.txt"), "--labels", c.path("labels_dup.csv")], outcome: .refused("already appeared")),
            Case(arguments: ["calibrate", "--embeddings", x, "--names", c.path("names.txt"), "--labels", c.path("labels_unterminated.csv")], outcome: .refused("unterminated")),
            Case(arguments: ["calibrate", "--embeddings", x, "--names", c.path("names.txt"), "--labels", c.path("labels_empty.csv")], outcome: .refused("labels_empty.csv")),
            Case(arguments: ["calibrate", "--embeddings", c.path("identical.npy"), "--labels", c.path("labels.csv"), "--grid", "0.5", "--no-heuristic", "--val-fraction", "0"], outcome: .refused("labels")),
            // stats, compare, overlap on the clusterings made above.
            Case(arguments: ["stats", o + "/run", "--labels", c.path("labels.csv"), "--out", o + "/stats"], outcome: .ok),
            Case(arguments: ["stats", o + "/run", "--labels", c.path("labels_crlf_bom.csv")], outcome: .ok),
            Case(arguments: ["stats", o + "/run_escaped"], outcome: .ok),
            Case(arguments: ["stats", o + "/run", "--top", "-1"], outcome: .invalidFlag("--top")),
            Case(arguments: ["stats", c.path("labels_dup.csv")], outcome: .refused("already appeared")),
            Case(arguments: ["stats", c.path("fifo")], outcome: .refused("FIFO")),
            Case(arguments: ["stats", c.path("labels.csv"), "--out", c.path("labels.csv")], outcome: .refused("not a folder")),
            Case(arguments: ["compare", o + "/run", o + "/run_crlf", "--out", o + "/compare"], outcome: .ok),
            Case(arguments: ["compare", o + "/run", c.path("labels.csv"), "--out", o + "/run"], outcome: .ok),
            Case(arguments: ["overlap", o + "/run", o + "/run_crlf"], outcome: .ok),
            Case(arguments: ["overlap", o + "/run", o + "/run_crlf", "--show=-1"], outcome: .invalidFlag("--show")),
            Case(arguments: ["overlap", o + "/run", o + "/run_crlf", "--threshold", "2"], outcome: .invalidFlag("--threshold")),
            // scan: broken images are reported, the command succeeds.
            Case(arguments: ["scan", c.path("images")], outcome: .ok),
            Case(arguments: ["scan", c.path("images"), "--max-pixels", "0"], outcome: .invalidFlag("--max-pixels")),
            Case(arguments: ["scan", c.path("x.npy")], outcome: .refused("x.npy")),
        ]
        // An output folder inside which an input lives is fine, but never the input itself.
        all.append(Case(arguments: ["stats", c.path("labels.csv"), "--out", c.path("")], outcome: .ok))
        return all
    }

    @Test func everyCaseEndsCleanly() throws {
        let corpus = try AdversarialCorpus()
        let out = try CLIHarness.temporaryFolder()
        let before = corpus.snapshot()
        var failures: [String] = []
        for c in Self.cases(corpus, out) {
            let result = try MeasuredRun.run(c.arguments, timeout: Self.timeLimit)
            let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
            if result.timedOut { failures.append("\(c): hung (killed after \(Self.timeLimit) s)"); continue }
            if result.signalled { failures.append("\(c): killed by signal \(result.status)"); continue }
            // Peak memory of every command stays far below the budgets the cases give (512M).
            if result.peakKiB >= 512 * 1024 { failures.append("\(c): used \(result.peakKiB) KiB") }
            switch c.outcome {
            case .ok:
                if result.status != 0 { failures.append("\(c): expected success, got \(result.status): \(result.stderr)") }
            case .refused(let text):
                if result.status != 1 || lines.count != 1 || !lines[0].hasPrefix("error: ") || !lines[0].contains(text) {
                    failures.append("\(c): expected exit 1 and one line containing '\(text)', got \(result.status): \(result.stderr)")
                }
            case .invalidFlag(let text):
                if result.status != 64 || !(lines.first?.hasPrefix("Error: ") ?? false) || !(lines.first?.contains(text) ?? false) {
                    failures.append("\(c): expected exit 64 naming '\(text)', got \(result.status): \(result.stderr)")
                }
            }
        }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        // No input changed (the stats run above wrote its files beside the inputs, not over them).
        let after = corpus.snapshot()
        for (name, data) in before where after[name] != data { Issue.record("input \(name) changed") }
        // The results that succeeded are right: the three groups, names kept escaped.
        let csv = try String(contentsOfFile: out + "/run/clusters.csv", encoding: .utf8)
        let clusters = Set(csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",").last.map(String.init) ?? "" })
        #expect(clusters.count == 3)
        #expect(try String(contentsOfFile: out + "/run_crlf/clusters.csv", encoding: .utf8) == csv)
        #expect(try String(contentsOfFile: out + "/run_escaped/clusters.csv", encoding: .utf8).contains("\"line\nbreak.jpg\""))
    }

    @Test func outputsAreWrittenThroughSymlinks() throws {
        let corpus = try AdversarialCorpus()
        let result = try CLIHarness.run(["cluster", "--embeddings", corpus.path("x.npy"), "--cal", "0.5", "--out", corpus.path("linked_out")], timeout: Self.timeLimit)
        #expect(result.status == 0, "\(result.stderr)")
        var info = stat()
        #expect(lstat(corpus.path("linked_out/clusters.csv"), &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        #expect(try String(contentsOfFile: corpus.path("elsewhere/clusters.csv"), encoding: .utf8).hasPrefix("name,cluster\n"))
    }

    @Test func scanReportsEveryBrokenImageAndOddName() throws {
        let corpus = try AdversarialCorpus()
        let result = try CLIHarness.run(["scan", corpus.path("images")], timeout: Self.timeLimit)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("bad_ihdr_crc.png"))
        #expect(result.stdout.contains("bad header checksum"))
        #expect(result.stdout.contains("caf\\xE9.png"))
        #expect(result.stdout.contains("line\\nbreak.png"))
        #expect(result.stdout.contains("fifo.png"))
    }
}
