import Foundation

/// The stages of a pipeline run, in order.
public enum PipelineStage: String, Sendable, Codable, CaseIterable {
    /// Walking the folder and hashing new or changed files.
    case scan
    /// Loading weights and embedding the images the store does not have yet.
    case embed
    /// The distribution of all pairwise similarities (and the `cal` heuristic).
    case similarity
    /// The multicut: costs, GAEC, Kernighan-Lin.
    case cluster
    /// Statistics, label agreement, comparison of models.
    case analyse
    /// Writing the run folder.
    case write
}

/// One progress report: how far a stage is. `finished` is true exactly once per stage (and
/// model), on its last report.
public struct PipelineProgress: Sendable, Equatable {
    public var stage: PipelineStage
    /// The model the stage works for (embed, similarity, cluster), else nil.
    public var model: String?
    public var done: Int
    public var total: Int
    /// Files skipped so far in this stage (undecodable, unreadable).
    public var skipped: Int
    /// Seconds since the stage started.
    public var seconds: Double
    public var finished: Bool
    /// A line for people about the stage, e.g. which solver clusters and why.
    public var detail: String?

    public init(stage: PipelineStage, model: String? = nil, done: Int, total: Int, skipped: Int = 0, seconds: Double, finished: Bool = false,
                detail: String? = nil) {
        self.stage = stage
        self.model = model
        self.done = done
        self.total = total
        self.skipped = skipped
        self.seconds = seconds
        self.finished = finished
        self.detail = detail
    }

    /// Items per second so far (0 before the first).
    public var rate: Double { seconds > 0 ? Double(done) / seconds : 0 }

    /// Estimated seconds left at the current rate, nil when unknown.
    public var secondsLeft: Double? {
        guard done > 0, total >= done, seconds > 0 else { return nil }
        return Double(total - done) / rate
    }
}

/// Receives progress, possibly from worker threads; returns false to stop the run (the
/// embedding stage stops after committing the batch in flight).
public typealias PipelineProgressHandler = @Sendable (PipelineProgress) -> Bool
