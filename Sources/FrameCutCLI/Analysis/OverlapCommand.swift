import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO

/// `framecut overlap`: which clusters of two clusterings are alike.
struct OverlapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlap",
        abstract: "Match the clusters of two clusterings: best partner, Jaccard, coverage, and the alike pairs with their shared and one-sided images.",
        discussion: """
        Two clusters are alike when their intersection holds at least --threshold of the images \
        of each. --out writes overlap.json, matches.csv (one row per cluster of the first \
        clustering) and members.csv (cluster_a,cluster_b,item,side with side shared, only_a or \
        only_b; alike pairs only unless --all-members).
        """)

    @Argument(help: ArgumentHelp("The first clustering.", valueName: "clusters-a"))
    var a: String

    @Argument(help: ArgumentHelp("The second clustering.", valueName: "clusters-b"))
    var b: String

    @Option(help: "Share of each cluster's images that two alike clusters must share.")
    var threshold: Double = 0.8

    @Flag(name: .customLong("all-members"), help: "List shared and one-sided images for every match, not only alike pairs.")
    var allMembers = false

    @Option(help: "How many of the largest overlaps the summary shows.")
    var show: Int = 10

    @OptionGroup var items: ItemNameOptions
    @OptionGroup var matching: MatchingOptions
    @OptionGroup var output: AnalysisOutputOptions

    func validate() throws {
        guard threshold > 0 && threshold <= 1 else { throw ValidationError("--threshold must lie in (0, 1], got \(threshold)") }
        guard show >= 0 else { throw ValidationError("--show must not be negative, got \(show)") }
    }

    func run() throws {
        try CLIRunner.run {
            var paths = OutputGuard()
            items.register(a, flag: "clusters-a", in: &paths)
            items.register(b, flag: "clusters-b", in: &paths)
            try output.check(paths)
            let report = try OverlapReport(try items.read(a), try items.read(b), threshold: threshold,
                                           allMembers: allMembers, mode: matching.mode)
            try output.emit(files: try report.files(), inputs: paths, summary: report.summary(limit: show))
        }
    }
}
