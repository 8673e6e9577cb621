import Foundation
import FrameCutCore

/// `framecut stats`: the size statistics of one clustering (supplement Table 5) and, with
/// class labels, its agreement with them.
public struct StatsReport: Encodable, Sendable {
    /// A cluster by its label in the input file.
    public struct Cluster: Codable, Sendable, Equatable {
        public let cluster: String
        public let size: Int
    }

    /// Items of one class.
    public struct ClassCount: Codable, Sendable, Equatable {
        public let className: String
        public let count: Int
    }

    /// A cluster holding more than one class.
    public struct MixedCluster: Codable, Sendable, Equatable {
        public let cluster: String
        public let size: Int
        public let composition: [ClassCount]
    }

    /// Two classes sharing clusters.
    public struct ClassPair: Codable, Sendable, Equatable {
        public let classA: String
        public let classB: String
        public let sharedClusters: Int
    }

    /// Agreement with the classes.
    public struct Agreement: Codable, Sendable {
        public let labels: String
        public let classes: Int
        public let classSizes: [ClassCount]
        public let cleanClusters: Int
        public let cleanClusterShare: Double
        public let itemsInCleanClustersShare: Double
        public let clusterEntropyGivenClass: Double
        public let classEntropyGivenCluster: Double
        public let variationOfInformation: Double
        public let adjustedRandIndex: Double
        public let purity: Double
        public let mixedClusters: [MixedCluster]
        public let classesNeverMixed: [String]
        public let mixingPairs: [ClassPair]
    }

    public let version: String
    public let clustering: String
    public let items: Int
    public let clusters: Int
    public let minSize: Int
    public let medianSize: Double
    public let meanSize: Double
    public let maxSize: Int
    public let quartiles: [Double]
    public let singletonClusters: Int
    public let singletonShare: Double
    public let largest: [Cluster]
    public let logBase: LogBase
    public let agreement: Agreement?

    /// All cluster sizes (with the majority class when labels are given), for `cluster_sizes.csv`.
    public let sizesTable: AnalysisCSV
    /// The sparse contingency table `cluster,class,count` (with labels only).
    public let contingencyTable: AnalysisCSV?

    enum CodingKeys: String, CodingKey {
        case version, clustering, items, clusters, minSize, medianSize, meanSize, maxSize, quartiles
        case singletonClusters, singletonShare, largest, logBase, agreement
    }

    /// Builds the report.
    /// - Parameters:
    ///   - classes: class labels of (at least) the clustering's items, matched by name.
    ///   - top: how many of the largest clusters to list.
    ///   - mixedLimit: at most this many mixed clusters and class pairs in the report.
    public init(clustering input: NamedLabels, classes classInput: NamedLabels? = nil, top: Int = 10,
                base: LogBase = .natural, mixedLimit: Int = 100) throws {
        let (labeling, clusterKeys) = input.labeling()
        let stats = try ClusterStatistics(labeling, top: top)
        version = FrameCutVersion.string
        clustering = input.source
        items = stats.items
        clusters = stats.clusters
        minSize = stats.minSize
        medianSize = stats.medianSize
        meanSize = stats.meanSize
        maxSize = stats.maxSize
        quartiles = stats.quartiles
        singletonClusters = stats.singletonClusters
        singletonShare = stats.singletonShare
        largest = stats.largest.map { Cluster(cluster: clusterKeys[$0.cluster], size: $0.size) }
        logBase = base
        let sizes = labeling.sizes
        let order = sizes.indices.sorted { (sizes[$0], -$0) > (sizes[$1], -$1) }

        guard let classInput else {
            var table = AnalysisCSV(header: ["cluster", "size"])
            for k in order { table.append([clusterKeys[k], String(sizes[k])]) }
            sizesTable = table
            contingencyTable = nil
            agreement = nil
            return
        }
        let matched = try LabelAlignment.classes(classInput, for: input)
        let (classLabeling, classNames) = matched.labeling()
        let g = try LabelAgreement(clusters: labeling, classes: classLabeling, base: base)
        let counts = { (composition: [LabelAgreement.ClassCount]) in
            composition.map { ClassCount(className: classNames[$0.classID], count: $0.count) }
        }
        agreement = Agreement(
            labels: classInput.source, classes: g.classes,
            classSizes: g.classSizes.enumerated().map { ClassCount(className: classNames[$0.offset], count: $0.element) },
            cleanClusters: g.cleanClusters, cleanClusterShare: g.cleanClusterShare,
            itemsInCleanClustersShare: g.itemsInCleanClustersShare,
            clusterEntropyGivenClass: g.clusterEntropyGivenClass, classEntropyGivenCluster: g.classEntropyGivenCluster,
            variationOfInformation: g.variationOfInformation, adjustedRandIndex: g.adjustedRandIndex, purity: g.purity,
            mixedClusters: g.mixedClusters.prefix(mixedLimit).map {
                MixedCluster(cluster: clusterKeys[$0.cluster], size: $0.size, composition: counts($0.composition))
            },
            classesNeverMixed: g.classesNeverMixed.map { classNames[$0] },
            mixingPairs: g.mixingPairs.prefix(mixedLimit).map {
                ClassPair(classA: classNames[$0.classA], classB: classNames[$0.classB], sharedClusters: $0.sharedClusters)
            })
        let contingency = try ContingencyTable(labeling, classLabeling)
        var majority = [(count: Int, classID: Int)](repeating: (0, 0), count: labeling.clusterCount)
        var classCount = [Int](repeating: 0, count: labeling.clusterCount)
        var long = AnalysisCSV(header: ["cluster", "class", "count"])
        for cell in contingency.cells {
            classCount[cell.row] += 1
            if cell.count > majority[cell.row].count { majority[cell.row] = (cell.count, cell.column) }
            long.append([clusterKeys[cell.row], classNames[cell.column], String(cell.count)])
        }
        var table = AnalysisCSV(header: ["cluster", "size", "classes", "majority_class", "majority_count", "clean"])
        for k in order {
            table.append([clusterKeys[k], String(sizes[k]), String(classCount[k]), classNames[majority[k].classID],
                          String(majority[k].count), classCount[k] == 1 ? "1" : "0"])
        }
        sizesTable = table
        contingencyTable = long
    }

    /// The files `--out DIR` writes.
    public func files() throws -> [(name: String, data: Data)] {
        var files = [(name: "stats.json", data: try AnalysisOutput.json(self)), (name: "cluster_sizes.csv", data: sizesTable.data)]
        if let contingencyTable { files.append((name: "contingency.csv", data: contingencyTable.data)) }
        return files
    }

    /// A short readable summary.
    public var summary: String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        let unit = logBase == .bits ? "bits" : "nats"
        var lines = [
            "\(clustering): \(items) items in \(clusters) clusters",
            "  size: min \(minSize), median \(AnalysisOutput.number(medianSize)), mean \(String(format: "%.2f", meanSize)), max \(maxSize)",
            "  singletons: \(singletonClusters) clusters, \(pct(singletonShare)) of items",
            "  largest: " + largest.map { "\($0.cluster) (\($0.size))" }.joined(separator: ", "),
        ]
        if let a = agreement {
            lines.append("  vs \(a.classes) classes of \(a.labels):")
            lines.append(String(format: "    H(Cluster|Class) %.4f, H(Class|Cluster) %.4f, VI %.4f %@; ARI %.4f, purity %.4f",
                                a.clusterEntropyGivenClass, a.classEntropyGivenCluster, a.variationOfInformation, unit, a.adjustedRandIndex, a.purity))
            lines.append("    clean clusters: \(a.cleanClusters) of \(clusters) (\(pct(a.cleanClusterShare))), holding \(pct(a.itemsInCleanClustersShare)) of items")
            if !a.classesNeverMixed.isEmpty {
                lines.append("    classes never mixed: " + a.classesNeverMixed.prefix(10).joined(separator: ", ") + (a.classesNeverMixed.count > 10 ? ", ..." : ""))
            }
            if let p = a.mixingPairs.first {
                lines.append("    most mixed classes: \(p.classA) + \(p.classB) (\(p.sharedClusters) clusters)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
