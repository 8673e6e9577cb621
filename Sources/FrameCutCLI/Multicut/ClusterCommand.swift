import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutPipeline

struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Cluster an embedding set with the minimum cost multicut of its complete similarity graph.",
        discussion: """
        Writes DIR/clusters.csv (name,cluster; clusters numbered by decreasing size), DIR/labels.npy \
        (int32 per row) and DIR/summary.json, and prints a short summary.
        """
    )

    @Option(help: "Embeddings: a 2-D float .npy (rows = images), or an .npz with an 'embeddings' array.")
    var embeddings: String

    @Option(help: "Names file, one name per row of the embeddings (default: row indices).")
    var names: String?

    @Option(help: "The paper's calibration in (0,1): a pair attracts when its normalised similarity exceeds 1 - cal. Larger gives fewer, larger clusters. Implies --costs paper.")
    var cal: Double?

    @OptionGroup var costOptions: CostOptions

    @OptionGroup var solverOptions: SolverOptions

    @OptionGroup var scaleOptions: ScaleOptions

    @Option(help: "Output folder.")
    var out: String

    @Option(name: .customLong("write-graph"), help: "Also export the instance in the authors' text format ('N M', then 'i j p').")
    var writeGraph: String?

    func run() async throws {
        try CLIRunner.run {
            var paths = OutputGuard()
            paths.input(embeddings, flag: "--embeddings")
            paths.input(names, flag: "--names")
            paths.outputFolder(out, flag: "--out", files: ClusteringOutput.fileNames)
            paths.output(writeGraph, flag: "--write-graph")
            try paths.check()
            let model = try costOptions.model(cal: cal)
            if writeGraph != nil, model.name == CostModel.auto.name {
                throw UserError("--write-graph exports the paper's normalised similarities: use it with --cal C or --costs paper")
            }
            let data = try InputLoading.embeddings(embeddings, memoryLimit: try solverOptions.memoryLimit())
            let rowNames = try InputLoading.names(names, count: data.count)
            let job = ClusteringJob(costs: model, solver: try solverOptions.multicutOptions(), scale: scaleOptions.solverScale, k: scaleOptions.knn)
            let outcome: ClusteringOutcome
            do {
                outcome = try job.run(data, progress: ProgressReporter.stageReporter(nodes: data.count))
            } catch { throw UserError("\(embeddings): \(error)") }
            let solution = outcome.solution
            print(outcome.choice.reason)
            let summary = try outcome.write(names: rowNames, input: embeddings, to: URL(fileURLWithPath: out))
            if let writeGraph, let range = solution.range {
                try TextGraphWriter.writeNormalizedSimilarities(of: data, range: range, to: URL(fileURLWithPath: writeGraph))
            }
            print("costs: \(outcome.costs)")
            print(SummaryText.render(summary, out: out))
        }
    }
}

/// Renders a clustering summary for people.
enum SummaryText {
    static func render(_ s: ClusteringSummary, out: String) -> String {
        let total = s.secondsCosts + s.secondsGAEC + s.secondsKL
        var lines = [String]()
        lines.append("\(s.n) nodes -> \(s.clusters) clusters (\(s.singletonClusters) singletons), energy \(format(s.energy))")
        // The large-scale solver has no Kernighan-Lin: its second stage is the node-move local search.
        let large = s.solver.hasPrefix("large-scale")
        if s.solver.hasSuffix(MulticutAlgorithm.gaecKL.rawValue) || s.solver.contains("gaec-kl ") {
            lines.append("GAEC: \(s.clustersGAEC) clusters, energy \(format(s.energyGAEC)); \(large ? "local search" : "Kernighan-Lin") lowered it by \(format(s.energyGAEC - s.energy))")
        }
        lines.append(String(format: large ? "time %.2f s (kNN graph and fit %.2f, GAEC %.2f, local search %.2f), peak memory %@"
                                          : "time %.2f s (costs %.2f, GAEC %.2f, KL %.2f), peak memory %@",
                            total, s.secondsCosts, s.secondsGAEC, s.secondsKL, MemoryBudget.format(s.peakMemoryBytes)))
        lines.append("largest clusters: " + s.largestClusters.map(String.init).joined(separator: ", "))
        lines.append("wrote \(out)/clusters.csv, labels.npy, summary.json")
        return lines.joined(separator: "\n")
    }

    static func format(_ x: Double) -> String { String(format: "%.6g", x) }
}
