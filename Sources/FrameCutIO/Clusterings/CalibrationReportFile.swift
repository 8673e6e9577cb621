import Foundation
import FrameCutCore

/// `framecut calibrate`: the `cal` ablation table, the chosen `cal` verified on a held-out
/// split, and the heuristic's `cal` beside it.
public struct CalibrationReportFile: Encodable, Sendable {
    /// How the labelled items were split.
    public struct Split: Encodable, Sendable {
        /// `file` (a list of train names), `random` (stratified by class) or `none`.
        public let method: String
        public let trainItems: Int
        public let heldOutItems: Int
        public let heldOutFraction: Double?
        public let seed: UInt64?
        public let file: String?

        public init(method: String, trainItems: Int, heldOutItems: Int, heldOutFraction: Double? = nil, seed: UInt64? = nil, file: String? = nil) {
            self.method = method
            self.trainItems = trainItems
            self.heldOutItems = heldOutItems
            self.heldOutFraction = heldOutFraction
            self.seed = seed
            self.file = file
        }
    }

    public let version: String
    public let embeddings: String
    public let labels: String
    public let solver: String
    public let split: Split
    /// Mean normalised similarity of the train split and the heuristic's `cal` from it.
    public let mu: Double?
    public let ablation: CalibrationAblation.Report
    public let seconds: Double

    public init(embeddings: String, labels: String, solver: String, split: Split, mu: Double?,
                ablation: CalibrationAblation.Report, seconds: Double) {
        version = FrameCutVersion.string
        self.embeddings = embeddings
        self.labels = labels
        self.solver = solver
        self.split = split
        self.mu = mu
        self.ablation = ablation
        self.seconds = seconds
    }

    /// One row per clustering: the grid on the train split, then the verification rows.
    public var table: AnalysisCSV {
        var t = AnalysisCSV(header: ["role", "cal", "items", "clusters", "h_cluster_given_class", "h_class_given_cluster",
                                     "vi", "ari", "clean_cluster_share", "energy", "energy_gaec", "clusters_gaec", "seconds"])
        func add(_ role: String, _ r: CalibrationAblation.Row) {
            t.append([role, AnalysisOutput.number(r.cal), String(r.items), String(r.clusters),
                      AnalysisOutput.number(r.clusterEntropyGivenClass), AnalysisOutput.number(r.classEntropyGivenCluster),
                      AnalysisOutput.number(r.variationOfInformation), AnalysisOutput.number(r.adjustedRandIndex),
                      AnalysisOutput.number(r.cleanClusterShare), AnalysisOutput.number(r.energy),
                      AnalysisOutput.number(r.energyGAEC), r.clustersGAEC.map(String.init) ?? "", AnalysisOutput.number(r.seconds)])
        }
        for r in ablation.grid { add(r.cal == ablation.chosenCal ? "train_chosen" : "train", r) }
        if let r = ablation.heldOut { add("held_out_chosen", r) }
        if let r = ablation.heuristicTrain { add("train_heuristic", r) }
        if let r = ablation.heuristicHeldOut { add("held_out_heuristic", r) }
        return t
    }

    public func files() throws -> [(name: String, data: Data)] {
        [("calibration.json", try AnalysisOutput.json(self)), ("ablation.csv", table.data)]
    }

    public var summary: String {
        let unit = ablation.base == .bits ? "bits" : "nats"
        var lines = ["\(embeddings) with classes of \(labels): \(split.trainItems) train, \(split.heldOutItems) held out (\(split.method)); solver \(solver)",
                     "   cal  clusters  H(Cl|Class)  H(Class|Cl)        VI  (\(unit))"]
        func line(_ r: CalibrationAblation.Row, _ mark: String) -> String {
            String(format: "%6.3f %9d %12.4f %12.4f %9.4f  ", r.cal, r.clusters, r.clusterEntropyGivenClass,
                   r.classEntropyGivenCluster, r.variationOfInformation) + mark
        }
        for r in ablation.grid { lines.append(line(r, r.cal == ablation.chosenCal ? "<- chosen (min VI)" : "")) }
        if let r = ablation.heldOut { lines.append(line(r, "held-out check of the chosen cal")) }
        if let h = ablation.heuristicCal {
            let muText = mu.map { String(format: " (mu %.4f)", $0) } ?? ""
            lines.append(String(format: "heuristic cal 0.94 - 0.98 mu = %.3f", h) + muText)
            if let r = ablation.heuristicTrain { lines.append(line(r, "heuristic on train")) }
            if let r = ablation.heuristicHeldOut { lines.append(line(r, "heuristic on held-out")) }
        }
        lines.append("chosen cal: \(AnalysisOutput.number(ablation.chosenCal))")
        return lines.joined(separator: "\n")
    }
}
