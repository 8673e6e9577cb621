import Foundation
import FrameCutCore
import FrameCutIO

/// `run.json`: everything that made a run folder, and what came out.
public struct RunRecord: Codable, Sendable {
    public var framecutVersion: String
    public var commandLine: [String]
    public var folder: String
    public var store: String
    public var labels: String?
    /// Image files found in the folder.
    public var files: Int
    /// Files left out by every model, with the reason (undecodable, unreadable).
    public var skipped: [SkippedImage]
    public var models: [ModelRunRecord]
    /// With two or more models: VI (nats) and ARI between their clusterings, in `models` order.
    public var comparison: Comparison?
    public var seconds: Seconds

    public struct Seconds: Codable, Sendable, Equatable {
        public var scan: Double
        public var total: Double
    }

    public struct Comparison: Codable, Sendable, Equatable {
        public var names: [String]
        public var items: Int
        public var variationOfInformation: [[Double]]
        public var adjustedRandIndex: [[Double]]
    }
}

extension RunRecord {
    /// `fuzzy-modularity (neighbours 15, resolution 1, ...)`.
    static func render(_ f: FittedCosts) -> String {
        f.model + " (" + f.parameters.keys.sorted().map { "\($0) \(String(format: "%.6g", f.parameters[$0] ?? 0))" }.joined(separator: ", ") + ")"
    }

    /// A few lines for people: per model the clusters, `cal`, energy and agreement.
    public var summary: String {
        var lines: [String] = []
        for m in models {
            lines.append("\(m.folder): \(m.imagesUsed) images (\(m.imagesComputed) embedded now, \(m.imagesReused) from the store), " +
                         (m.costs?.model == CostModel.auto.name ? "costs \(m.costs.map(Self.render) ?? "")" : "cal \(String(format: "%.4f", m.cal)) (\(m.calSource))"))
            lines.append("  \(m.clusters) clusters (\(m.singletonClusters) singletons), energy GAEC \(String(format: "%.6g", m.energyGAEC)), " +
                         (m.largeScale == nil ? "GAEC+KL" : "after local search") + " \(String(format: "%.6g", m.energy)); largest: \(m.largestClusters.prefix(8).map(String.init).joined(separator: ", "))")
            lines.append("  solver \(m.solver)" + (m.solverChoice.map { " (\($0))" } ?? ""))
            if let a = m.agreement {
                lines.append(String(format: "  against the %d classes of the labels: VI %.3f nats, ARI %.3f, purity %.3f",
                                    a.classes, a.variationOfInformation, a.adjustedRandIndex, a.purity))
            }
        }
        if let c = comparison {
            for i in 0..<c.names.count {
                for j in (i + 1)..<c.names.count {
                    lines.append(String(format: "%@ vs %@: VI %.3f nats, ARI %.3f", c.names[i], c.names[j],
                                        c.variationOfInformation[i][j], c.adjustedRandIndex[i][j]))
                }
            }
        }
        if !skipped.isEmpty { lines.append("\(skipped.count) files skipped (listed with reasons in run.json)") }
        return lines.joined(separator: "\n")
    }
}
