import Foundation
import FrameCutCore

/// `framecut overlap`: which clusters of two models are alike (supplement Figures 15-17),
/// with the shared and one-sided images of each match.
public struct OverlapReport: Encodable, Sendable {
    public struct Match: Encodable, Sendable, Equatable {
        public let clusterA: String
        public let sizeA: Int
        public let clusterB: String
        public let sizeB: Int
        public let intersection: Int
        public let jaccard: Double
        public let coverageA: Double
        public let coverageB: Double
        public let alike: Bool
        /// Item names (only for alike pairs unless all members were asked for).
        public let shared: [String]
        public let onlyA: [String]
        public let onlyB: [String]
    }

    public let version: String
    public let a: String
    public let b: String
    public let items: Int
    public let threshold: Double
    public let clustersA: Int
    public let clustersB: Int
    public let alikePairs: Int
    public let itemsInAlikePairsShare: Double
    /// One per cluster of A, largest intersection first.
    public let matches: [Match]

    public init(_ inputA: NamedLabels, _ inputB: NamedLabels, threshold: Double = 0.8,
                allMembers: Bool = false, mode: LabelAlignment.Mode = .exact) throws {
        let aligned = try LabelAlignment.align([inputA, inputB], mode: mode)
        let o = try ClusterOverlap(aligned.labelings[0], aligned.labelings[1], threshold: threshold, includeMembers: allMembers)
        let keysA = aligned.rawValues[0], keysB = aligned.rawValues[1]
        version = FrameCutVersion.string
        a = inputA.source
        b = inputB.source
        items = aligned.count
        self.threshold = threshold
        clustersA = o.clustersA
        clustersB = o.clustersB
        alikePairs = o.alikePairs
        itemsInAlikePairsShare = o.itemsInAlikePairsShare
        matches = o.matches.map { m in
            Match(clusterA: keysA[m.clusterA], sizeA: m.sizeA, clusterB: keysB[m.clusterB], sizeB: m.sizeB,
                  intersection: m.intersection, jaccard: m.jaccard, coverageA: m.coverageA, coverageB: m.coverageB,
                  alike: m.alike, shared: m.shared.map(aligned.name), onlyA: m.onlyA.map(aligned.name),
                  onlyB: m.onlyB.map(aligned.name))
        }
    }

    /// One row per cluster of A.
    public var matchesTable: AnalysisCSV {
        var t = AnalysisCSV(header: ["cluster_a", "size_a", "cluster_b", "size_b", "intersection", "jaccard", "coverage_a", "coverage_b", "alike"])
        for m in matches {
            t.append([m.clusterA, String(m.sizeA), m.clusterB, String(m.sizeB), String(m.intersection),
                      AnalysisOutput.number(m.jaccard), AnalysisOutput.number(m.coverageA), AnalysisOutput.number(m.coverageB),
                      m.alike ? "1" : "0"])
        }
        return t
    }

    /// One row per listed member: `cluster_a,cluster_b,item,side` with side `shared`, `only_a` or `only_b`.
    public var membersTable: AnalysisCSV {
        var t = AnalysisCSV(header: ["cluster_a", "cluster_b", "item", "side"])
        for m in matches {
            for n in m.shared { t.append([m.clusterA, m.clusterB, n, "shared"]) }
            for n in m.onlyA { t.append([m.clusterA, m.clusterB, n, "only_a"]) }
            for n in m.onlyB { t.append([m.clusterA, m.clusterB, n, "only_b"]) }
        }
        return t
    }

    public func files() throws -> [(name: String, data: Data)] {
        [("overlap.json", try AnalysisOutput.json(self)), ("matches.csv", matchesTable.data), ("members.csv", membersTable.data)]
    }

    /// A readable summary: the alike pairs and the largest overlaps.
    public func summary(limit: Int = 10) -> String {
        var lines = ["\(a) (\(clustersA) clusters) vs \(b) (\(clustersB) clusters), \(items) items",
                     "alike pairs (each shares >= \(AnalysisOutput.number(threshold * 100))% of its items): \(alikePairs), holding \(String(format: "%.1f%%", 100 * itemsInAlikePairsShare)) of items",
                     "largest overlaps:"]
        for m in matches.prefix(limit) {
            lines.append("  \(m.clusterA) (\(m.sizeA)) ~ \(m.clusterB) (\(m.sizeB)): \(m.intersection) shared, "
                + String(format: "Jaccard %.3f, covers %.0f%% / %.0f%%", m.jaccard, 100 * m.coverageA, 100 * m.coverageB)
                + (m.alike ? "  alike" : ""))
        }
        return lines.joined(separator: "\n")
    }
}
