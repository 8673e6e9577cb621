import Foundation
import FrameCutCore

/// How a run chooses the edge costs of each model's graph: a fixed `cal`, or the label-free
/// heuristic `cal = 0.94 - 0.98 mu` (`CalHeuristic`) from the similarity distribution. The
/// one parameter through which other cost models plug into `framecut run`.
public enum CalChoice: Sendable, Equatable, CustomStringConvertible {
    case fixed(Double)
    case heuristic

    /// Parses `--cal`: a number in (0, 1) or `auto`.
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
        }
    }

    /// Whether the choice needs the similarity distribution.
    public var needsDistribution: Bool { self == .heuristic }

    /// The cost function for a model, and how `cal` was chosen.
    public func costs(distribution: SimilarityDistribution?) throws -> (costs: CostFunction, source: String) {
        switch self {
        case .fixed(let cal):
            return (try CostFunction(cal: cal), "given (--cal \(cal))")
        case .heuristic:
            guard let distribution else { throw PipelineError.invalidOption(flag: "--cal auto", reason: "needs at least 3 images") }
            let cal = CalHeuristic.cal(mu: distribution.mu)
            return (try CostFunction(cal: cal), String(format: "heuristic 0.94 - 0.98 mu, mu = %.6f", distribution.mu))
        }
    }
}
