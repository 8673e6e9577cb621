/// A partition of `count` items into clusters, stored as dense cluster ids `0..<clusterCount`.
///
/// Every analysis in `Metrics/` works on `Labeling`s: a clustering from the solver, the classes
/// of a labelled data set, or the clustering of another model. Raw labels of any kind are
/// mapped to dense ids; integer labels keep their order (the smallest raw label becomes 0),
/// other labels are ordered by `<`.
public struct Labeling: Sendable, Equatable {
    /// Dense cluster id of each item, in `0..<clusterCount`.
    public let labels: [Int32]
    /// Number of distinct clusters.
    public let clusterCount: Int

    /// Number of items.
    public var count: Int { labels.count }

    /// Wraps labels that are already dense (`0..<clusterCount`, every id used or not).
    /// - Throws: `MetricsError.labelOutOfRange` for a label outside `0..<clusterCount`.
    public init(dense labels: [Int32], clusterCount: Int) throws {
        for (i, l) in labels.enumerated() where l < 0 || Int(l) >= clusterCount {
            throw MetricsError.labelOutOfRange(index: i, label: Int(l), clusterCount: clusterCount)
        }
        self.labels = labels
        self.clusterCount = clusterCount
    }

    /// Maps integer labels (any values, e.g. from `labels.npy`) to dense ids in increasing
    /// order of the raw value. Returns the raw value of each dense id in `rawValues`.
    public init(_ raw: [Int]) {
        self = Labeling.make(raw).labeling
    }

    /// Maps integer labels to dense ids; also returns the raw label of each dense id.
    public static func make(_ raw: [Int]) -> (labeling: Labeling, rawValues: [Int]) {
        guard let lo = raw.min(), let hi = raw.max() else {
            return (Labeling(unchecked: [], clusterCount: 0), [])
        }
        let span = hi &- lo
        if span >= 0, span < max(1 << 16, 4 * raw.count) {
            // Small range: a lookup table keeps the mapping O(n).
            var table = [Int32](repeating: -1, count: span + 1)
            for v in raw { table[v - lo] = 0 }
            var next: Int32 = 0
            var rawValues: [Int] = []
            for k in 0...span where table[k] == 0 {
                table[k] = next
                next += 1
                rawValues.append(k + lo)
            }
            let dense = raw.map { table[$0 - lo] }
            return (Labeling(unchecked: dense, clusterCount: Int(next)), rawValues)
        }
        let rawValues = Array(Set(raw)).sorted()
        var index: [Int: Int32] = [:]
        index.reserveCapacity(rawValues.count)
        for (i, v) in rawValues.enumerated() { index[v] = Int32(i) }
        let dense = raw.map { index[$0] ?? 0 }
        return (Labeling(unchecked: dense, clusterCount: rawValues.count), rawValues)
    }

    /// Maps labels of any comparable type (class names, say) to dense ids ordered by `<`;
    /// also returns the raw label of each dense id.
    public static func make<T: Hashable & Comparable>(_ raw: [T]) -> (labeling: Labeling, rawValues: [T]) {
        let rawValues = Array(Set(raw)).sorted()
        var index: [T: Int32] = [:]
        index.reserveCapacity(rawValues.count)
        for (i, v) in rawValues.enumerated() { index[v] = Int32(i) }
        let dense = raw.map { index[$0] ?? 0 }
        return (Labeling(unchecked: dense, clusterCount: rawValues.count), rawValues)
    }

    init(unchecked labels: [Int32], clusterCount: Int) {
        self.labels = labels
        self.clusterCount = clusterCount
    }

    /// Number of items in each cluster, indexed by dense id.
    public var sizes: [Int] {
        var sizes = [Int](repeating: 0, count: clusterCount)
        for l in labels { sizes[Int(l)] += 1 }
        return sizes
    }

    /// Item indices of each cluster, indexed by dense id, each in increasing order.
    public var members: [[Int]] {
        var members = [[Int]](repeating: [], count: clusterCount)
        for (i, l) in labels.enumerated() { members[Int(l)].append(i) }
        return members
    }

    /// The labelling restricted to the given items (in that order), re-densified.
    public func subset(_ indices: [Int]) -> Labeling {
        Labeling(indices.map { Int(labels[$0]) })
    }
}
