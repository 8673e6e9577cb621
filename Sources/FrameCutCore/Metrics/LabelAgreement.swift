/// How a clustering agrees with known classes (the paper's ImageNette / ImageWoof analysis):
/// clean (single-class) clusters, the composition of mixed clusters, the classes that never
/// mix, and the conditional entropies H(Cluster|Class), H(Class|Cluster) and VI.
public struct LabelAgreement: Sendable, Equatable, Codable {
    /// Items of one class inside one cluster.
    public struct ClassCount: Sendable, Equatable, Codable {
        /// Dense class id.
        public let classID: Int
        public let count: Int
    }

    /// A cluster that holds items of more than one class.
    public struct MixedCluster: Sendable, Equatable, Codable {
        /// Dense cluster id.
        public let cluster: Int
        public let size: Int
        /// Its classes by decreasing count (ties by class id).
        public let composition: [ClassCount]
    }

    /// Two classes that share at least one cluster.
    public struct ClassPair: Sendable, Equatable, Codable {
        public let classA: Int
        public let classB: Int
        /// Number of clusters holding items of both.
        public let sharedClusters: Int
    }

    public let items: Int
    public let clusters: Int
    public let classes: Int
    /// Clusters whose items all have one class.
    public let cleanClusters: Int
    /// `cleanClusters / clusters`.
    public let cleanClusterShare: Double
    /// Share of items that are in clean clusters.
    public let itemsInCleanClustersShare: Double
    /// Every mixed cluster, largest first (ties by cluster id).
    public let mixedClusters: [MixedCluster]
    /// Classes none of whose items is in a mixed cluster, increasing.
    public let classesNeverMixed: [Int]
    /// Class pairs that share clusters, most shared first.
    public let mixingPairs: [ClassPair]
    /// Number of items per class (the line in the paper's size box plots).
    public let classSizes: [Int]
    /// H(Cluster|Class): how much a class is split over clusters.
    public let clusterEntropyGivenClass: Double
    /// H(Class|Cluster): how mixed the clusters are.
    public let classEntropyGivenCluster: Double
    /// VI = H(Cluster|Class) + H(Class|Cluster).
    public let variationOfInformation: Double
    /// Adjusted Rand index of clusters vs classes.
    public let adjustedRandIndex: Double
    /// Cluster purity: share of items in the majority class of their cluster.
    public let purity: Double
    /// Logarithm base of the entropies.
    public let base: LogBase

    /// Scores `clusters` against `classes` (both labellings of the same items).
    /// - Throws: `MetricsError` when the labellings differ in length or are empty.
    public init(clusters: Labeling, classes: Labeling, base: LogBase = .natural) throws {
        let table = try ContingencyTable(clusters, classes)
        let scores = ClusteringComparison(table: table, base: base)
        items = table.total
        self.clusters = table.rowCount
        self.classes = table.columnCount
        self.base = base
        clusterEntropyGivenClass = scores.entropyAGivenB
        classEntropyGivenCluster = scores.entropyBGivenA
        variationOfInformation = scores.variationOfInformation
        adjustedRandIndex = scores.adjustedRandIndex
        purity = scores.purityAWithRespectToB
        classSizes = table.columnSums

        // Cells are ordered by row (cluster), so each cluster's classes are one run.
        var clean = 0, cleanItems = 0
        var mixed: [MixedCluster] = []
        var mixedClass = [Bool](repeating: false, count: table.columnCount)
        var pairCounts: [Int: Int] = [:]
        var start = 0
        let cells = table.cells
        while start < cells.count {
            var end = start + 1
            while end < cells.count && cells[end].row == cells[start].row { end += 1 }
            let row = cells[start].row
            if end - start == 1 {
                clean += 1
                cleanItems += cells[start].count
            } else {
                let composition = cells[start..<end]
                    .map { ClassCount(classID: $0.column, count: $0.count) }
                    .sorted { ($0.count, -$0.classID) > ($1.count, -$1.classID) }
                mixed.append(MixedCluster(cluster: row, size: table.rowSums[row], composition: composition))
                for i in start..<end {
                    mixedClass[cells[i].column] = true
                    for j in (i + 1)..<end {
                        pairCounts[cells[i].column * table.columnCount + cells[j].column, default: 0] += 1
                    }
                }
            }
            start = end
        }
        cleanClusters = clean
        cleanClusterShare = Double(clean) / Double(table.rowCount)
        itemsInCleanClustersShare = Double(cleanItems) / Double(table.total)
        mixedClusters = mixed.sorted { ($0.size, -$0.cluster) > ($1.size, -$1.cluster) }
        classesNeverMixed = mixedClass.indices.filter { !mixedClass[$0] }
        mixingPairs = pairCounts
            .map { ClassPair(classA: $0.key / table.columnCount, classB: $0.key % table.columnCount, sharedClusters: $0.value) }
            .sorted { ($0.sharedClusters, -$0.classA, -$0.classB) > ($1.sharedClusters, -$1.classA, -$1.classB) }
    }
}
