import Foundation
import FrameCutCore
import FrameCutIO

/// What a ``ClusteringJob`` found: the clustering, its costs, and which solver made it.
public struct ClusteringOutcome: Sendable {
    public let solution: MulticutSolution
    /// The cost model's name and every parameter it used or fitted.
    public let costs: FittedCosts
    /// The paper's `cal` in use (given or the heuristic's); nil for the label-free costs.
    public let cal: Double?
    /// The solver chosen and why (one line with the memory figures).
    public let choice: MulticutSolverChoice
    /// The solver as summaries record it: `gaec-kl` (dense) or `large-scale gaec-kl k=32`.
    public let solverName: String
    /// The large-scale solver's figures (kNN edges, stage times); nil for the dense solver.
    public let largeScale: LargeScaleSolution?

    /// The `summary.json` record, with the peak memory so far.
    public func summary(input: String) -> ClusteringSummary {
        ClusteringSummary(solution: solution, cal: cal, solver: solverName, input: input, peakMemoryBytes: MemoryBudget.peakResidentBytes())
    }

    /// Writes `clusters.csv`, `labels.npy` and `summary.json` (with the costs) into `folder`.
    /// - Returns: the summary written.
    @discardableResult
    public func write(names: [String], input: String, to folder: URL) throws -> ClusteringSummary {
        let summary = summary(input: input)
        try ClusteringOutput.write(names: names, labels: solution.labels, summary: SummaryWithCosts(summary: summary, costs: costs), to: folder)
        return summary
    }
}
