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
                      BenchRunCommand.self, BenchCostsCommand.self, BenchMulticutCaseCommand.self]
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

    @Option(help: "Sizes of the generated sets (comma separated), e.g. 20000,40000,100000,200000: per size the dense solver (where it fits --max-memory) and the large-scale one, each stage's wall and CPU seconds, peak memory, energy, and the energy gap and VI between the two.")
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
            let n2000 = instances.appendingPathComponent("gauss_n2000_d128_s1.npy").path
            let n8000 = instances.appendingPathComponent("gauss_n8000_d128_s1.npy").path
            let real = instances.appendingPathComponent("fmnist_t10k_lite0.npz").path
            if !generatedOnly {
            cases.append(("gauss n2000", n2000, 0.5, Reference(energy: -1052898.226, clusters: 26, seconds: 4.9), Reference(energy: -1061173.439, clusters: 30, seconds: 5.2)))
            cases.append(("gauss n8000", n8000, 0.5, Reference(energy: -12970507.902, clusters: 71, seconds: 200), Reference(energy: -13012766.947, clusters: 76, seconds: 210)))
            cases.append(("fmnist 10k lite0", real, 0.5, Reference(energy: -27240011.11, clusters: 127, seconds: nil), Reference(energy: -27628578.72, clusters: 116, seconds: nil)))
            cases.append(("fmnist 10k lite0", real, 0.6, Reference(energy: -11549025.75, clusters: 41, seconds: nil), Reference(energy: -11739996.78, clusters: 35, seconds: nil)))
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
            try benchScales(quick ? [] : sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }, work: work)
        }
    }

    /// The generated set of `count` rows: `count / 200` classes, seeded by the count.
    static func generatedSet(count: Int, dimension: Int) throws -> Embeddings {
        try SyntheticEmbeddings.clustered(count: count, dimension: dimension, classes: max(2, count / 200), seed: UInt64(count)).embeddings
    }

    /// Per generated set: the dense solver where it fits the budget, the large-scale solver,
    /// each in its own process (``BenchMulticutCaseCommand``), with the wall and CPU seconds of
    /// every stage, peak memory against the estimate, and where both ran the energy gap and VI.
    func benchScales(_ sizes: [Int], work: URL) throws {
        guard !sizes.isEmpty else { return }
        let limit = try maxMemory.map { text -> UInt64 in
            guard let parsed = MemoryBudget.parse(text) else { throw UserError("--max-memory: cannot read '\(text)' (use e.g. 8G or 512M)") }
            return parsed
        } ?? MemoryBudget.defaultLimit
        print("")
        print(row(["case", "solver", "n", "wall s", "CPU s", "peak mem", "estimate", "energy", "clusters", "dense energy", "rel. gap", "VI"],
                  widths: [22, 16, 7, 8, 8, 10, 10, 18, 9, 18, 10, 7]))
        for n in sizes {
            let name = "generated \(n)x\(dimension)"
            let denseLabels = work.appendingPathComponent("dense_\(n).npy")
            var dense: BenchMulticutCaseCommand.Report?
            let choice = MulticutSolverChoice(requested: .auto, count: n, dimension: dimension, k: knn, threads: threads, memoryLimit: limit)
            if choice.scale == .dense {
                dense = try runCase(["--generated", "\(n)", "--dimension", "\(dimension)", "--scale", "dense", "--labels", denseLabels.path], work: work)
            } else {
                print("\(name): dense skipped, \(choice.reason)")
            }
            let large = try runCase(["--generated", "\(n)", "--dimension", "\(dimension)", "--scale", "large", "--knn", "\(knn)"]
                                    + (dense != nil ? ["--reference-labels", denseLabels.path] : []), work: work)
            for report in [dense, large].compactMap({ $0 }) {
                let isLarge = report.solver != "dense"
                let gap = isLarge ? dense.map { String(format: "%.2e", (report.energy - $0.energy) / abs($0.energy)) } : nil
                print(row([name, report.solver, "\(report.n)", String(format: "%.1f", report.wallSeconds), String(format: "%.1f", report.cpuSeconds),
                           MemoryBudget.format(report.peakMemoryBytes), MemoryBudget.format(report.estimatedBytes),
                           String(format: "%.1f", report.energy), "\(report.clusters)",
                           isLarge ? dense.map { String(format: "%.1f", $0.energy) } ?? "-" : "-", gap ?? "-",
                           report.variationOfInformation.map { String(format: "%.4f", $0) } ?? "-"],
                          widths: [22, 16, 7, 8, 8, 10, 10, 18, 9, 18, 10, 7]))
                let stages = report.stages.map { stage in
                    String(format: "%@ %.1f", stage.name, stage.seconds) + (isLarge ? String(format: " (CPU %.1f)", stage.cpuSeconds) : "")
                }
                print("    stages s: " + stages.joined(separator: ", ")
                      + (report.streamedPasses.map { String(format: "; %.1f streamed passes over n^2", $0) } ?? ""))
            }
            try? FileManager.default.removeItem(at: denseLabels)
        }
        print("(each case in its own process; CPU s = user + system of that process, all threads: on a loaded machine, CPU s / threads")
        print(" estimates a quiet machine's wall time of the parallel stages; peak mem = VmHWM, estimate = what --max-memory is checked against)")
    }

    func runCase(_ arguments: [String], work: URL) throws -> BenchMulticutCaseCommand.Report {
        let report = work.appendingPathComponent(UUID().uuidString + ".json")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if !FileManager.default.isExecutableFile(atPath: process.executableURL?.path ?? "") {
            process.executableURL = Bundle.main.executableURL
        }
        process.arguments = ["bench", "multicut-case", "--threads", "\(threads)", "--report", report.path] + arguments
            + (maxMemory.map { ["--max-memory", $0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw UserError("bench multicut-case failed: \(arguments.joined(separator: " "))") }
        defer { try? FileManager.default.removeItem(at: report) }
        return try JSONDecoder().decode(BenchMulticutCaseCommand.Report.self, from: Data(contentsOf: report))
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

    func row(_ fields: [String], widths: [Int] = [26, 8, 6, 8, 8, 8, 8, 10, 18, 9, 18, 13, 6]) -> String {
        return zip(fields, widths).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }.joined(separator: " ")
    }

    func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }
}

/// `framecut bench multicut-case` (hidden): one case of `bench multicut --sizes` in its own
/// process, so that peak memory and CPU seconds are the case's own. Runs the dense or the
/// large-scale solver in process and writes a JSON report with every stage's wall and CPU
/// seconds, the peak resident memory and the energy (and, given reference labels, the VI).
struct BenchMulticutCaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multicut-case",
        abstract: "One case of 'bench multicut --sizes' (dense or large-scale solver) with per-stage wall and CPU seconds.",
        shouldDisplay: false
    )

    @Option(help: "Embeddings (.npy or .npz with 'embeddings').")
    var embeddings: String?

    @Option(help: "Instead of --embeddings: the generated set of this many rows (as 'bench multicut --sizes' makes it).")
    var generated: Int?

    @Option(help: "Dimension of the generated set.")
    var dimension: Int = 768

    @Option(help: "The paper's cal (default 0.5); ignored with --costs auto.")
    var cal: Double = 0.5

    @Option(help: "'paper' (with --cal) or 'auto' (the label-free costs).")
    var costs: String = "paper"

    @Option(help: "'dense' or 'large'.")
    var scale: String = "large"

    @Option(help: "Large-scale solver: nearest neighbours per image.")
    var knn: Int = 32

    @Option(name: .customLong("pair-limit"), help: "Large-scale solver: union bound of the exact pair step (0: off).")
    var pairLimit: Int = LargeScaleOptions.defaultPairLimit

    @Option(name: .customLong("pair-min-edges"), help: "Large-scale solver: kNN edges a pair of clusters needs for the pair step (default: k).")
    var pairMinEdges: Int?

    @Option(help: "Threads.")
    var threads: Int = 2

    @Option(name: .customLong("max-memory"), help: "Memory budget (e.g. 20G).")
    var maxMemory: String?

    @Option(help: "Write the report (JSON) here.")
    var report: String

    @Option(help: "Write the labels (.npy, int32) here.")
    var labels: String?

    @Option(name: .customLong("reference-labels"), help: "Labels (.npy) to compare with: the report gets the VI to them.")
    var referenceLabels: String?

    struct Report: Codable {
        var solver: String
        var n: Int
        var dimension: Int
        var stages: [LargeScaleStageTiming]
        var wallSeconds: Double
        var cpuSeconds: Double
        var peakMemoryBytes: UInt64
        var estimatedBytes: UInt64
        var energy: Double
        var clusters: Int
        var streamedPasses: Double?
        var pairsImproved: Int?
        var variationOfInformation: Double?
    }

    func validate() throws {
        guard ["dense", "large"].contains(scale) else { throw ValidationError("--scale: 'dense' or 'large', got '\(scale)'") }
        guard ["paper", "auto"].contains(costs) else { throw ValidationError("--costs: 'paper' or 'auto', got '\(costs)'") }
        guard (1...4096).contains(threads) else { throw ValidationError("--threads must lie in 1...4096, got \(threads)") }
        guard (1...100_000).contains(knn) else { throw ValidationError("--knn must lie in 1...100000, got \(knn)") }
        if let generated { guard (2...10_000_000).contains(generated) else { throw ValidationError("--generated must lie in 2...10000000, got \(generated)") } }
        guard (1...1 << 20).contains(dimension) else { throw ValidationError("--dimension must lie in 1...\(1 << 20), got \(dimension)") }
        guard pairLimit >= 0 else { throw ValidationError("--pair-limit must be at least 0, got \(pairLimit)") }
    }

    func run() async throws {
        try CLIRunner.run {
            let limit = try maxMemory.map { text -> UInt64 in
                guard let parsed = MemoryBudget.parse(text) else { throw UserError("--max-memory: cannot read '\(text)' (use e.g. 8G or 512M)") }
                return parsed
            } ?? MemoryBudget.defaultLimit
            let data: Embeddings
            if let generated {
                data = try BenchMulticutCommand.generatedSet(count: generated, dimension: dimension)
            } else if let embeddings {
                data = try InputLoading.embeddings(embeddings, memoryLimit: limit)
            } else {
                throw UserError("give --embeddings or --generated")
            }
            let cpu0 = LargeScaleStageTiming.processCPUSeconds()
            let clock = Stopwatch()
            var report: Report
            if scale == "dense" {
                let model: CostModel = costs == "auto" ? .auto : .paper(cal: cal)
                let options = MulticutOptions(algorithm: .gaecKL, threads: threads, memoryLimit: limit)
                let outcome = try ScaledMulticutSolver(options: options, scale: .dense, k: knn).solve(data, model: model)
                let s = outcome.result.solution
                let stages = [LargeScaleStageTiming(name: "costs", seconds: s.secondsCosts, cpuSeconds: 0),
                              LargeScaleStageTiming(name: "GAEC", seconds: s.secondsGAEC, cpuSeconds: 0),
                              LargeScaleStageTiming(name: "KL", seconds: s.secondsKL, cpuSeconds: 0)]
                report = Report(solver: "dense", n: data.count, dimension: data.dimension, stages: stages, wallSeconds: 0, cpuSeconds: 0,
                                peakMemoryBytes: 0, estimatedBytes: DenseMulticutSolver.estimatedBytes(nodeCount: data.count),
                                energy: s.energy, clusters: s.clusterCount)
                try writeLabels(s.labels, clusters: s.clusterCount, report: &report)
            } else {
                let options = LargeScaleOptions(k: costs == "auto" ? max(knn, FuzzyModularityCostSource.defaultNeighbours) : knn, algorithm: .gaecKL,
                                                threads: threads, memoryLimit: limit,
                                                splitLimit: costs == "auto" ? LargeScaleOptions.labelFreeSplitLimit : 0, pairLimit: pairLimit,
                                                pairMinEdges: pairMinEdges)
                let solver = LargeScaleMulticutSolver(options: options)
                let outcome = costs == "auto"
                    ? try solver.solve(data, model: try FuzzyModularityPairCostModel())
                    : try solver.solve(data, model: PaperPairCostModel(costs: try CostFunction(cal: cal)))
                let s = outcome.solution
                report = Report(solver: "large k=\(outcome.k)" + (pairLimit > 0 ? " pairs<=\(pairLimit)" : ""), n: data.count, dimension: data.dimension,
                                stages: outcome.stages, wallSeconds: 0, cpuSeconds: 0, peakMemoryBytes: 0,
                                estimatedBytes: LargeScaleMulticutSolver.estimatedBytes(count: data.count, dimension: data.dimension, k: options.k,
                                                                                        threads: threads, splitLimit: options.splitLimit, pairLimit: pairLimit),
                                energy: s.energy, clusters: s.clusterCount, streamedPasses: outcome.streamedPasses, pairsImproved: outcome.pairsImproved)
                try writeLabels(s.labels, clusters: s.clusterCount, report: &report)
            }
            report.wallSeconds = clock.seconds
            report.cpuSeconds = LargeScaleStageTiming.processCPUSeconds() - cpu0
            report.peakMemoryBytes = MemoryBudget.peakResidentBytes()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: self.report))
        }
    }

    func writeLabels(_ values: [Int32], clusters: Int, report: inout Report) throws {
        if let labels {
            try NPYFile.write(try NPYArray(shape: [values.count], values: .int32(values)), to: URL(fileURLWithPath: labels))
        }
        if let referenceLabels {
            let reference = try NPYFile.read(contentsOf: URL(fileURLWithPath: referenceLabels)).int32Values()
            guard reference.count == values.count else { throw UserError("--reference-labels: \(reference.count) labels for \(values.count) rows") }
            let comparison = try ClusteringComparison(Labeling(dense: reference, clusterCount: Int(reference.max() ?? 0) + 1),
                                                      Labeling(dense: values, clusterCount: clusters))
            report.variationOfInformation = comparison.variationOfInformation
        }
    }
}
