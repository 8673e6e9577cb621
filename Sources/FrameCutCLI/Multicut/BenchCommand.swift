import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut bench …`: benchmarks that print figures (not tests).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print figures: multicut solver, analyses, image decoding.",
        subcommands: [BenchMulticutCommand.self, BenchAnalysisCommand.self, DecodeBenchCommand.self, BenchModelsCommand.self,
                      BenchRunCommand.self, BenchCostsCommand.self]
    )
}

struct BenchMulticutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multicut",
        abstract: "Time the multicut solver on the reference instances, the real Fashion-MNIST embeddings and generated sets.",
        discussion: """
        Every case runs in a child 'framecut cluster' process, so peak memory is per case. Reference \
        energies and times are those of bjoern-andres/graph (the solver the paper used) from \
        shared/instances/README.md, measured on this kind of machine. Run it alone: a second job on \
        the other core distorts two-thread timings badly.
        """
    )

    @Option(help: "The shared folder holding instances/ (default: ../shared beside the package).")
    var shared: String = "../shared"

    @Option(help: "Sizes of the generated sets (comma separated).")
    var sizes: String = "10000,20000,40000"

    @Option(help: "Dimension of the generated sets.")
    var dimension: Int = 768

    @Option(help: "Threads.")
    var threads: Int = 2

    @Flag(help: "Only the reference instances n2000 and n8000 and the real 10k set.")
    var quick = false

    @Flag(name: .customLong("generated-only"), help: "Skip the reference instances and the real 10k set; only the generated sizes.")
    var generatedOnly = false

    @Option(help: "Large-scale solver: nearest neighbours per image.")
    var knn: Int = 32

    @Option(help: "Rounds of --effort for the known-optimum instances and an extra n2000 row (0 skips those rows).")
    var effort: Int = 8

    @Option(name: .customLong("max-memory"), help: "Memory budget of each case: the dense solver runs on a generated set only when it fits (e.g. 20G). Default: 90% of physical memory.")
    var maxMemory: String?

    struct Reference {
        let energy: Double
        let clusters: Int
        let seconds: Double?
    }

    func validate() throws {
        guard (1...1 << 20).contains(dimension) else { throw ValidationError("--dimension must lie in 1...\(1 << 20), got \(dimension)") }
        guard (1...4096).contains(threads) else { throw ValidationError("--threads must lie in 1...4096, got \(threads)") }
        guard (0...10_000).contains(effort) else { throw ValidationError("--effort must lie in 0...10000, got \(effort)") }
        let counts = sizes.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard counts.allSatisfy({ $0.map { $0 >= 2 } ?? false }) else { throw ValidationError("--sizes: comma-separated counts of at least 2, got '\(sizes)'") }
    }

    func run() async throws {
        try CLIRunner.run {
            let instances = URL(fileURLWithPath: shared).appendingPathComponent("instances")
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("framecut-bench-\(ProcessInfo.processInfo.processIdentifier)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            print("framecut bench multicut: \(threads) threads, \(ProcessInfo.processInfo.activeProcessorCount) cores, load \(loadAverage())")
            if !generatedOnly { try benchKnownOptima() }
            print(row(["case", "solver", "n", "costs s", "GAEC s", "KL s", "total s", "peak mem", "energy", "clusters", "reference energy", "ref clusters", "ref s"]))

            var cases: [(name: String, path: String, cal: Double, gaec: Reference?, kl: Reference?)] = []
            var generated: [(name: String, path: String, n: Int)] = []
            let n2000 = instances.appendingPathComponent("gauss_n2000_d128_s1.npy").path
            let n8000 = instances.appendingPathComponent("gauss_n8000_d128_s1.npy").path
            let real = instances.appendingPathComponent("fmnist_t10k_lite0.npz").path
            if !generatedOnly {
            cases.append(("gauss n2000", n2000, 0.5, Reference(energy: -1052898.226, clusters: 26, seconds: 4.9), Reference(energy: -1061173.439, clusters: 30, seconds: 5.2)))
            cases.append(("gauss n8000", n8000, 0.5, Reference(energy: -12970507.902, clusters: 71, seconds: 200), Reference(energy: -13012766.947, clusters: 76, seconds: 210)))
            cases.append(("fmnist 10k lite0", real, 0.5, Reference(energy: -27240011.11, clusters: 127, seconds: nil), Reference(energy: -27628578.72, clusters: 116, seconds: nil)))
            cases.append(("fmnist 10k lite0", real, 0.6, Reference(energy: -11549025.75, clusters: 41, seconds: nil), Reference(energy: -11739996.78, clusters: 35, seconds: nil)))
            }
            if !quick {
                for size in sizes.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                    let path = work.appendingPathComponent("generated_\(size)x\(dimension).npy")
                    let data = try SyntheticEmbeddings.clustered(count: size, dimension: dimension, classes: max(2, size / 200), seed: UInt64(size)).embeddings
                    try NPYFile.write(try NPYArray(shape: [size, dimension], values: .float32(data.values)), to: path)
                    generated.append(("generated \(size)x\(dimension)", path.path, size))
                }
            }
            for c in cases {
                guard FileManager.default.fileExists(atPath: c.path) else {
                    print("\(c.name): \(c.path) not found, skipped")
                    continue
                }
                for (solver, rounds) in [(MulticutAlgorithm.gaec, 0), (.gaecKL, 0)] + (effort > 0 && c.name == "gauss n2000" ? [(.gaecKL, effort)] : []) {
                    let out = work.appendingPathComponent(UUID().uuidString)
                    let summary = try runCluster(embeddings: c.path, cal: c.cal, solver: solver, out: out,
                                                 extra: rounds > 0 ? ["--effort", "\(rounds)"] : [])
                    let reference = solver == .gaec ? c.gaec : c.kl
                    let total = summary.secondsCosts + summary.secondsGAEC + summary.secondsKL
                    print(row([
                        "\(c.name) cal \(c.cal)", solver.rawValue + (rounds > 0 ? " e\(rounds)" : ""), "\(summary.n)",
                        String(format: "%.2f", summary.secondsCosts), String(format: "%.2f", summary.secondsGAEC),
                        String(format: "%.2f", summary.secondsKL), String(format: "%.2f", total),
                        MemoryBudget.format(summary.peakMemoryBytes),
                        String(format: "%.3f", solver == .gaec ? summary.energyGAEC : summary.energy), "\(summary.clusters)",
                        reference.map { String(format: "%.3f", $0.energy) } ?? "-",
                        reference.map { "\($0.clusters)" } ?? "-",
                        reference?.seconds.map { String(format: "%.1f", $0) } ?? "-",
                    ]))
                    if let reference {
                        let energy = solver == .gaec ? summary.energyGAEC : summary.energy
                        let verdict = energy <= reference.energy ? "<= reference" : String(format: "above reference by %.3g relative", (energy - reference.energy) / abs(reference.energy))
                        var line = "    energy \(verdict)"
                        if let seconds = reference.seconds { line += String(format: ", %.0fx faster than the reference's %.1f s", seconds / max(total, 1e-9), seconds) }
                        print(line)
                    } else {
                        let limit = 4 * UInt64(summary.n) * UInt64(summary.n) + (1 << 30)
                        print("    peak memory \(MemoryBudget.format(summary.peakMemoryBytes)) vs 4 n^2 + 1 GiB = \(MemoryBudget.format(limit))")
                    }
                }
            }
            try benchScales(generated, work: work)
        }
    }

    /// Per generated set: the dense solver where it fits the budget, the large-scale solver,
    /// and where both ran the energy gap and VI between their clusterings.
    func benchScales(_ generated: [(name: String, path: String, n: Int)], work: URL) throws {
        guard !generated.isEmpty else { return }
        let limit = try maxMemory.map { text -> UInt64 in
            guard let parsed = MemoryBudget.parse(text) else { throw UserError("--max-memory: cannot read '\(text)' (use e.g. 8G or 512M)") }
            return parsed
        } ?? MemoryBudget.defaultLimit
        print("")
        print(row(["case", "solver", "n", "costs s", "GAEC s", "KL s", "wall s", "peak mem", "energy", "clusters", "dense energy", "rel. gap", "VI"]))
        for g in generated {
            var denseRun: (summary: ClusteringSummary, labels: [Int32])?
            for scale in [MulticutSolverScale.dense, .large] {
                if scale == .dense {
                    let choice = MulticutSolverChoice(requested: .auto, count: g.n, dimension: dimension, k: knn, threads: threads, memoryLimit: limit)
                    guard choice.scale == .dense else {
                        print("\(g.name): dense skipped, \(choice.reason)")
                        continue
                    }
                }
                let out = work.appendingPathComponent(UUID().uuidString)
                var clock = Stopwatch()
                let summary = try runCluster(embeddings: g.path, cal: 0.5, solver: .gaecKL, out: out,
                                             extra: ["--solver-scale", scale.rawValue, "--knn", "\(knn)"] + (maxMemory.map { ["--max-memory", $0] } ?? []))
                let wall = clock.seconds
                let labels = try NPYFile.read(contentsOf: out.appendingPathComponent("labels.npy")).int32Values()
                var gap = "-", vi = "-", denseEnergy = "-"
                if scale == .large, let denseRun {
                    denseEnergy = String(format: "%.1f", denseRun.summary.energy)
                    gap = String(format: "%.2e", (summary.energy - denseRun.summary.energy) / abs(denseRun.summary.energy))
                    let comparison = try ClusteringComparison(Labeling(dense: denseRun.labels, clusterCount: denseRun.summary.clusters),
                                                              Labeling(dense: labels, clusterCount: summary.clusters))
                    vi = String(format: "%.4f", comparison.variationOfInformation)
                }
                print(row([g.name, scale == .dense ? "dense" : "large k=\(knn)", "\(summary.n)",
                           String(format: "%.2f", summary.secondsCosts), String(format: "%.2f", summary.secondsGAEC),
                           String(format: "%.2f", summary.secondsKL), String(format: "%.2f", wall),
                           MemoryBudget.format(summary.peakMemoryBytes), String(format: "%.1f", summary.energy), "\(summary.clusters)",
                           denseEnergy, gap, vi]))
                if scale == .dense { denseRun = (summary, labels) }
                try? FileManager.default.removeItem(at: out)
            }
        }
        print("(wall s includes loading and, for the large solver, the streamed exact energy over all pairs)")
    }

    /// Modularity instances with known optima: the modularity GAEC+KL reaches, with and without
    /// `--effort`, and the gap to the optimum.
    func benchKnownOptima() throws {
        print(row(["known optimum", "solver", "n", "effort", "seconds", "modularity", "clusters", "optimum", "opt clusters", "gap"]))
        for instance in ModularityBenchmark.all {
            for rounds in [0] + (effort > 0 ? [effort] : []) {
                let clock = Stopwatch()
                let options = MulticutOptions(algorithm: .gaecKL, threads: threads, effort: rounds)
                let solution = try DenseMulticutSolver(options: options).solve(try instance.costSource(), costs: try CostFunction(cal: 0.5))
                let seconds = clock.seconds
                let q = try instance.modularity(of: solution.labels)
                print(row([instance.name, "gaec-kl", "\(instance.nodeCount)", "\(rounds)", String(format: "%.3f", seconds),
                           String(format: "%.4f", q), "\(solution.clusterCount)", String(format: "%.4f", instance.knownOptimum),
                           "\(instance.knownClusters)", String(format: "%.4f", instance.knownOptimum - q)]))
            }
        }
        print("(modularity maximisation as a complete-graph multicut; gap = known optimum - modularity reached, the optimum rounded to 4 places as published)")
        print("")
    }

    func runCluster(embeddings: String, cal: Double, solver: MulticutAlgorithm, out: URL, extra: [String] = []) throws -> ClusteringSummary {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
            process.executableURL = Bundle.main.executableURL
        }
        process.arguments = ["cluster", "--embeddings", embeddings, "--cal", "\(cal)", "--solver", solver.rawValue,
                             "--threads", "\(threads)", "--out", out.path] + extra
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw UserError("framecut cluster failed on \(embeddings)") }
        return try JSONDecoder().decode(ClusteringSummary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
    }

    func row(_ fields: [String]) -> String {
        let widths = [26, 8, 6, 8, 8, 8, 8, 10, 18, 9, 18, 13, 6]
        return zip(fields, widths).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }.joined(separator: " ")
    }

    func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }
}
