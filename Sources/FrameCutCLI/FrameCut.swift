import ArgumentParser
import FrameCutCore

@main
struct FrameCut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "framecut",
        abstract: "Find the visual frames of an image collection with minimum cost multicuts.",
        version: FrameCutVersion.string,
        subcommands: [RunCommand.self, DemoCommand.self, ClusterCommand.self, SolveCommand.self, EnergyCommand.self, ScanCommand.self, StatsCommand.self, CompareCommand.self, OverlapCommand.self, SimilarityCommand.self, CalibrateCommand.self, EmbedCommand.self, MergeCommand.self, ExportCommand.self, ImportCommand.self, ReportCommand.self, ModelsCommand.self, BenchCommand.self]
    )
}
