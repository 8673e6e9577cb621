import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Cluster a built-in generated embedding set end to end and print the summary.",
        discussion: "The set has known classes, so the summary also scores the clustering against them (VI, ARI)."
    )

    @Option(help: "Number of generated embeddings.")
    var count: Int = 4000

    @Option(help: "Their dimension.")
    var dimension: Int = 256

    @Option(help: "Number of generating classes.")
    var classes: Int = 20

    @Option(help: "Calibration in (0,1).")
    var cal: Double = 0.5

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    @Option(help: "Output folder.")
    var out: String = "out/demo-generated"

    @Option(name: .customLong("max-memory"), help: "Refuse to start when the estimated memory exceeds this (e.g. 8G, 512M). Default: 90% of physical memory.")
    var maxMemory: String?

    func validate() throws {
        guard count >= 2 else { throw ValidationError("--count must be at least 2, got \(count)") }
        guard dimension >= 1 else { throw ValidationError("--dimension must be at least 1, got \(dimension)") }
        guard classes >= 1, classes <= count else { throw ValidationError("--classes must lie in 1...--count, got \(classes)") }
        guard cal > 0, cal < 1 else { throw ValidationError("--cal must lie strictly between 0 and 1, got \(cal)") }
        if let maxMemory, MemoryBudget.parse(maxMemory) == nil { throw ValidationError("--max-memory: cannot read '\(maxMemory)' (use e.g. 8G or 512M)") }
    }

    func run() async throws {
        try CLIRunner.run {
            let limit = maxMemory.flatMap(MemoryBudget.parse) ?? MemoryBudget.defaultLimit
            // Generated values (float32 embeddings, float64 centres) and the solver's matrix.
            let needed = MemoryBudget.sum(MemoryBudget.product([count, dimension, 4]) ?? .max, MemoryBudget.product([classes, dimension, 8]) ?? .max,
                                          DenseMulticutSolver.estimatedBytes(nodeCount: count))
            try MemoryBudget.check(needed, limit: limit, what: "the demo (\(count) x \(dimension) embeddings and their cost matrix)")
            var paths = OutputGuard()
            paths.outputFolder(out, flag: "--out", files: ["embeddings.npy", "classes.npy"] + ClusteringOutput.fileNames)
            try paths.check()
            let costs = try InputLoading.cost(cal: cal)
            let (embeddings, truth) = try SyntheticEmbeddings.clustered(count: count, dimension: dimension, classes: classes, seed: seed)
            let folder = URL(fileURLWithPath: out)
            try NPYFile.write(try NPYArray(shape: [count, dimension], values: .float32(embeddings.values)), to: folder.appendingPathComponent("embeddings.npy"))
            try NPYFile.write(try NPYArray(shape: [count], values: .int32(truth)), to: folder.appendingPathComponent("classes.npy"))
            print("generated \(count) embeddings (\(dimension)-d, \(classes) classes, seed \(seed)) -> \(out)/embeddings.npy")
            let solution = try DenseMulticutSolver(options: MulticutOptions(algorithm: .gaecKL, memoryLimit: limit)).solve(try EmbeddingCostSource(embeddings), costs: costs, progress: ProgressReporter.stageReporter(nodes: count))
            let summary = ClusteringSummary(solution: solution, cal: cal, solver: MulticutAlgorithm.gaecKL.rawValue, input: "\(out)/embeddings.npy",
                                            peakMemoryBytes: MemoryBudget.peakResidentBytes())
            try ClusteringOutput.write(names: (0..<count).map { "image_\($0)" }, labels: solution.labels, summary: summary, to: folder)
            print(SummaryText.render(summary, out: out))
            let table = try ContingencyTable(Labeling(solution.labels.map(Int.init)), Labeling(truth.map(Int.init)))
            print(String(format: "against the generating classes: VI %.3f nats, ARI %.3f", table.variationOfInformation, table.adjustedRandIndex))
            print("next: framecut stats \(out)/clusters.csv --labels \(out)/classes.npy")
        }
    }
}
