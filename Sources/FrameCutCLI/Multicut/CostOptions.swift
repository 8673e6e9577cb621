import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutPipeline

/// Which cost model `--costs` names.
enum CostModelChoice: String, CaseIterable, ExpressibleByArgument {
    case auto, paper
}

/// The cost-model flag shared by the commands that turn embeddings into multicut costs.
struct CostOptions: ParsableArguments {
    @Option(help: "Costs: 'auto' (label-free default: modularity of the fuzzy 15-neighbour graph) or 'paper' (logit costs; with --cal C, else the paper's heuristic cal). Default: auto, or paper when --cal is given.")
    var costs: CostModelChoice?

    @Option(help: "--costs auto: neighbours per image in the fuzzy neighbour graph.")
    var neighbours: Int = FuzzyModularityCostSource.defaultNeighbours

    @Option(help: "--costs auto: modularity resolution (larger gives more, smaller clusters).")
    var resolution: Double = FuzzyModularityCostSource.defaultResolution

    /// The cost model for these flags and an optional `--cal`.
    func model(cal: Double?) throws -> CostModel {
        switch (costs, cal) {
        case (.auto, .some): throw UserError("--cal applies to the paper's costs: use --costs paper (or leave --costs out) with --cal")
        case (.auto, nil), (nil, nil):
            guard neighbours >= 1 else { throw UserError("--neighbours must be at least 1, got \(neighbours)") }
            guard resolution > 0, resolution.isFinite else { throw UserError("--resolution must be positive, got \(resolution)") }
            return .fuzzyModularity(neighbours: neighbours, resolution: resolution)
        case (.paper, nil): return .paperHeuristic
        case (_, .some(let c)):
            guard c > 0, c < 1, c.isFinite else { throw UserError("--cal must lie strictly between 0 and 1, got \(c)") }
            return .paper(cal: c)
        }
    }

    /// The cost choice of `framecut run` for these flags and an optional `--cal` (a number or
    /// `auto`, the paper's heuristic): label-free unless `--cal` or `--costs paper` is given.
    func calChoice(_ cal: String?) throws -> CalChoice {
        switch (costs, cal) {
        case (.auto, .some): throw UserError("--cal applies to the paper's costs: use --costs paper (or leave --costs out) with --cal")
        case (.auto, nil), (nil, nil):
            guard case .fuzzyModularity(let k, let gamma) = try model(cal: nil) else { throw UserError("--costs auto: no label-free model") }
            return .labelFree(neighbours: k, resolution: gamma)
        case (.paper, nil): return .heuristic
        case (_, .some(let text)): return try CalChoice(argument: text)
        }
    }

}
