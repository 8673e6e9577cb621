import Foundation
import FrameCutPipeline

extension ModelRunRecord {
    /// True when the clustering came from the paper's costs at `cal` (given or the heuristic's);
    /// false under label-free costs, where `cal` is only the heuristic's value for reference.
    var usesPaperCosts: Bool {
        guard let model = costs?.model else { return true }
        return model == "paper" || model == "paper-heuristic"
    }

    /// The cost model in words for the report: `cal 0.5627 (how it was chosen)` under the
    /// paper's costs, else the model with its parameters (sorted by name).
    var costsDescription: String {
        guard !usesPaperCosts, let costs else { return "cal \(HTML.number(cal, digits: 6)) (\(calSource))" }
        let parameters = costs.parameters.keys.sorted().map { "\($0) \(HTML.number(costs.parameters[$0] ?? .nan, digits: 6))" }
        return "label-free \(costs.model) costs" + (parameters.isEmpty ? "" : " (\(parameters.joined(separator: ", ")))")
    }
}
