import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut stats`: cluster statistics (supplement Table 5) and agreement with classes.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Cluster statistics of a clustering, and its agreement with class labels.",
        discussion: """
        CLUSTERS is a clusters.csv (name,cluster), a labels.npy, or a `framecut cluster` output \
        folder. With --labels (CSV name,class, or an integer .npy in the same row order) it adds \
        H(Cluster|Class), H(Class|Cluster), VI, ARI, purity, the share of single-class ("clean") \
        clusters and of images in them, the composition of mixed clusters and the classes never \
        mixed. --out writes stats.json, cluster_sizes.csv and (with labels) contingency.csv.
        """)

    @Argument(help: ArgumentHelp("The clustering: clusters.csv, labels.npy, or a folder holding one.", valueName: "clusters"))
    var clusters: String

    @Option(help: ArgumentHelp("Class labels: CSV name,class, or an integer .npy.", valueName: "file"))
    var labels: String?

    @Option(help: "How many of the largest clusters to list.")
    var top: Int = 10

    @OptionGroup var names: ItemNameOptions
    @OptionGroup var entropy: EntropyOptions
    @OptionGroup var output: AnalysisOutputOptions

    func validate() throws {
        guard top >= 0 else { throw ValidationError("--top must not be negative, got \(top)") }
    }

    func run() throws {
        try CLIRunner.run {
            var paths = OutputGuard()
            names.register(clusters, flag: "clusters", in: &paths)
            if let labels { names.register(labels, flag: "--labels", in: &paths) }
            try output.check(paths)
            let clustering = try names.read(clusters)
            let classes = try labels.map { try names.read($0) }
            let report = try StatsReport(clustering: clustering, classes: classes, top: top, base: entropy.logBase)
            try output.emit(files: try report.files(), inputs: paths, summary: report.summary)
        }
    }
}
