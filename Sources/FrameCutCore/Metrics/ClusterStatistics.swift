/// Size statistics of one clustering (supplement Table 5): number of clusters, min / median /
/// mean / max size, singletons, and the largest clusters.
public struct ClusterStatistics: Sendable, Equatable, Codable {
    /// One of the largest clusters.
    public struct Entry: Sendable, Equatable, Codable {
        /// Dense cluster id in the labelling.
        public let cluster: Int
        public let size: Int
    }

    /// Number of items.
    public let items: Int
    /// Number of clusters.
    public let clusters: Int
    public let minSize: Int
    /// Median cluster size (mean of the two middle sizes for an even number of clusters, as
    /// NumPy's `median`).
    public let medianSize: Double
    public let meanSize: Double
    public let maxSize: Int
    /// Number of clusters of size 1.
    public let singletonClusters: Int
    /// Share of items that are alone in their cluster.
    public let singletonShare: Double
    /// The `top` largest clusters, by decreasing size (ties by cluster id).
    public let largest: [Entry]
    /// Quartiles of the cluster sizes (25 %, 50 %, 75 %; NumPy's linear interpolation), for
    /// box plots of the size distribution (Figures 12, 14).
    public let quartiles: [Double]

    /// Computes the statistics of a labelling.
    /// - Parameter top: how many of the largest clusters to list.
    /// - Throws: `MetricsError.empty` for a labelling without items.
    public init(_ labeling: Labeling, top: Int = 10) throws {
        guard labeling.count > 0 else { throw MetricsError.empty(what: "clustering") }
        let sizes = labeling.sizes
        let sorted = sizes.sorted()
        items = labeling.count
        clusters = sizes.count
        minSize = sorted[0]
        maxSize = sorted[sorted.count - 1]
        meanSize = Double(items) / Double(clusters)
        medianSize = Quantiles.linear(sortedInts: sorted, q: 0.5)
        quartiles = [0.25, 0.5, 0.75].map { Quantiles.linear(sortedInts: sorted, q: $0) }
        singletonClusters = sizes.lazy.filter { $0 == 1 }.count
        singletonShare = Double(singletonClusters) / Double(items)
        let order = sizes.indices.sorted { (sizes[$0], -$0) > (sizes[$1], -$1) }
        largest = order.prefix(max(0, top)).map { Entry(cluster: $0, size: sizes[$0]) }
    }
}

/// Quantiles with NumPy's default (`method="linear"`) interpolation.
public enum Quantiles {
    /// The `q`-quantile of sorted values: position `q * (n - 1)`, linear between neighbours.
    public static func linear(sorted: [Double], q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let pos = q * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        let frac = pos - Double(lo)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * frac
    }

    static func linear(sortedInts: [Int], q: Double) -> Double {
        let pos = q * Double(sortedInts.count - 1)
        let lo = Int(pos.rounded(.down))
        let hi = min(lo + 1, sortedInts.count - 1)
        let frac = pos - Double(lo)
        return Double(sortedInts[lo]) + Double(sortedInts[hi] - sortedInts[lo]) * frac
    }
}
