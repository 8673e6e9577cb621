import Foundation
import FrameCutPipeline

extension ModelRunRecord {
    /// True when the clustering came from the paper's costs at `cal` (given or the heuristic's);
    /// false under label-free costs, where `cal` is only the heuristic's value for reference.
    /// Records written before `costs` existed used the paper's costs.
    var usesPaperCosts: Bool { costs?.usesCal ?? true }

    /// The cost model in words for the report: `cal 0.5627 (how it was chosen)` under the
    /// paper's costs, else `label-free` and the fitted model with its parameters.
    var costsDescription: String {
        guard !usesPaperCosts, let costs else { return "cal \(HTML.number(cal, digits: 6)) (\(calSource))" }
        return "label-free \(costs)"
    }
}
