import Foundation
import FrameCutCore

/// How a run chooses the edge costs of each model's graph: the paper's costs with a fixed `cal`,
/// the paper's costs with the label-free heuristic `cal = 0.94 - 0.98 mu` (`CalHeuristic`) from
/// the similarity distribution, or FrameCut's label-free cost model (``CostModel/auto``, the
/// modularity of the fuzzy neighbour graph; `--costs auto`, the default of `framecut run`).
/// The one parameter through which cost models plug into `framecut run`.
public enum CalChoice: Sendable, Equatable, CustomStringConvertible {
    case fixed(Double)
    case heuristic
    /// The label-free fuzzy-modularity costs (no `cal`).
    case labelFree(neighbours: Int, resolution: Double)

    /// The label-free default with its standard settings.
    public static let labelFreeDefault = CalChoice.labelFree(neighbours: FuzzyModularityCostSource.defaultNeighbours,
                                                             resolution: FuzzyModularityCostSource.defaultResolution)

    /// Parses `--cal`: a number in (0, 1) or `auto` (the paper's heuristic).
    public init(argument: String) throws {
        if argument.lowercased() == "auto" { self = .heuristic; return }
        guard let value = Double(argument), value > 0, value < 1 else {
            throw PipelineError.invalidOption(flag: "--cal", reason: "'\(argument)' is neither a number in (0, 1) nor 'auto'")
        }
        self = .fixed(value)
    }

    public var description: String {
        switch self {
        case .fixed(let cal): return String(cal)
        case .heuristic: return "auto"
        case .labelFree(let k, let gamma): return "fuzzy-modularity (neighbours \(k), resolution \(gamma))"
        }
    }

    /// The cost model this choice runs.
    public var costModel: CostModel {
        switch self {
        case .fixed(let cal): return .paper(cal: cal)
        case .heuristic: return .paperHeuristic
        case .labelFree(let k, let gamma): return .fuzzyModularity(neighbours: k, resolution: gamma)
        }
    }

    /// Whether the choice needs the similarity distribution.
    public var needsDistribution: Bool { self == .heuristic }

    /// The paper's cost function for a model, and how `cal` was chosen. For ``labelFree(neighbours:resolution:)``
    /// the costs are not the paper's: the heuristic `cal` is returned for reference only (recorded as
    /// `cal` in `run.json` so that readers of the paper's figures keep working) and the source says so.
    public func costs(distribution: SimilarityDistribution?) throws -> (costs: CostFunction, source: String) {
        switch self {
        case .fixed(let cal):
            return (try CostFunction(cal: cal), "given (--cal \(cal))")
        case .heuristic:
            guard let distribution else { throw PipelineError.invalidOption(flag: "--cal auto", reason: "needs at least 3 images") }
            let cal = CalHeuristic.cal(mu: distribution.mu)
            return (try CostFunction(cal: cal), String(format: "heuristic 0.94 - 0.98 mu, mu = %.6f", distribution.mu))
        case .labelFree:
            guard let distribution else { throw PipelineError.invalidOption(flag: "--costs auto", reason: "needs at least 3 images") }
            let cal = CalHeuristic.cal(mu: distribution.mu)
            return (try CostFunction(cal: cal),
                    "not used: label-free costs \(description); the paper's heuristic cal for reference (mu = " + String(format: "%.6f", distribution.mu) + ")")
        }
    }
}
