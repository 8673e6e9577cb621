import Foundation
import FrameCutCore
import FrameCutIO

extension PipelineRun {
    /// With labels and a grid: the calibration curve of one model, written to
    /// `folder/calibration.csv` (nil without labels or with `calibrationGrid` nil).
    /// - Throws: `PipelineError.interrupted` when `progress` cancels, else solver and file errors.
    /// The grid runs on the large-scale solver when the run's clustering did, or when the dense
    /// grid does not fit the memory budget (``CalibrationCurve/gridChoice(count:dimension:runScale:solver:k:)``).
    func calibrationCurve(_ set: EmbeddingSet, clustering: NamedLabels, classes: NamedLabels?, outcome: ClusteringOutcome,
                          cal: Double, folderName: String, into folder: URL,
                          progress: PipelineProgressHandler?) throws -> CalibrationCurve? {
        guard let grid = calibrationGrid, let classes else { return nil }
        let matched = try LabelAlignment.classes(classes, for: clustering).labeling().labeling
        let clock = Stopwatch()
        let solution = outcome.solution
        let choice = CalibrationCurve.gridChoice(count: set.names.count, dimension: set.width, runScale: outcome.choice.scale == .large ? .large : scale, solver: solver, k: knn)
        _ = progress?(PipelineProgress(stage: .analyse, model: folderName, done: 0, total: grid.count, seconds: 0, detail: "calibration curve: " + choice.reason))
        let curve: CalibrationCurve
        do {
            curve = try CalibrationCurve.compute(
                embeddings: try Embeddings(count: set.names.count, dimension: set.width, values: set.values), classes: matched, grid: grid,
                chosen: (cal, solution.labels, solution.energy), chosenCosts: outcome.cal == nil ? outcome.costs.model : nil,
                solver: solver, choice: choice, k: knn,
                progress: { done, total, _ in progress?(PipelineProgress(stage: .analyse, model: folderName, done: done, total: total, seconds: clock.seconds)) ?? true })
        } catch MetricsError.cancelled {
            throw PipelineError.interrupted(stage: .analyse, committed: 0)
        } catch let error as FrameCutError {
            switch error {
            case .memoryLimitExceeded, .allocationFailed:
                throw PipelineError.invalidOption(flag: "--calibration-grid", reason: "the calibration curve of \(folderName) does not fit: \(error) (give --calibration-grid none, or more --max-memory)")
            default:
                throw error
            }
        }
        try AtomicFile.write(curve.csv, to: folder.appendingPathComponent("calibration.csv"))
        _ = progress?(PipelineProgress(stage: .analyse, model: folderName, done: grid.count, total: grid.count, seconds: clock.seconds, finished: true))
        return curve
    }
}
