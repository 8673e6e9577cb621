import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut compare`: the VI (and ARI) matrix of clusterings of the same images.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare clusterings of the same images (e.g. by different models): VI and ARI for every pair.",
        discussion: """
        Each input is a clusters.csv, a labels.npy or a `framecut cluster` output folder; items \
        are matched by name. --out writes compare.json, vi.csv and ari.csv (square matrices with \
        the names as header) and pairs.csv.
        """)

    @Argument(help: ArgumentHelp("Two or more clusterings.", valueName: "clusters"))
    var clusterings: [String]

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Display names (e.g. model names), one per clustering; commas also separate.", valueName: "name"))
    var names: [String] = []

    @OptionGroup var items: ItemNameOptions
    @OptionGroup var matching: MatchingOptions
    @OptionGroup var entropy: EntropyOptions
    @OptionGroup var output: AnalysisOutputOptions

    func run() throws {
        try CLIRunner.run {
            guard clusterings.count >= 2 else { throw UserError("compare needs at least two clusterings") }
            let display = names.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            guard display.isEmpty || display.count == clusterings.count else {
                throw UserError("--names: \(display.count) names for \(clusterings.count) clusterings")
            }
            var paths = OutputGuard()
            for clustering in clusterings { items.register(clustering, flag: "clustering", in: &paths) }
            try output.check(paths)
            let inputs = try clusterings.map { try items.read($0) }
            let report = try CompareReport(inputs, names: display.isEmpty ? nil : display, mode: matching.mode, base: entropy.logBase)
            try output.emit(files: try report.files(), inputs: paths, summary: report.summary)
        }
    }
}
