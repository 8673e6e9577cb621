import FrameCutCore

/// Labels of items read from a file: a clustering (`clusters.csv`, `labels.npy`) or the
/// classes of a labelled data set (`name,class` CSV or an integer `.npy`).
public struct NamedLabels: Sendable, Equatable {
    /// Where the labels came from (for messages and reports).
    public let source: String
    /// Item names (file paths), or nil when the file has none (`.npy` without a names file);
    /// such items are matched by position.
    public let names: [String]?
    /// The raw label of each item, as text (a cluster number or a class name).
    public let labels: [String]

    /// Number of items.
    public var count: Int { labels.count }

    public init(source: String, names: [String]?, labels: [String]) {
        self.source = source
        self.names = names
        self.labels = labels
    }

    /// Dense labels and the raw label of each dense id. Integer labels keep numeric order
    /// (so cluster `0` stays dense id 0 for `framecut cluster` output); others sort as text.
    public func labeling() -> (labeling: Labeling, rawValues: [String]) {
        Self.labeling(of: labels)
    }

    static func labeling(of labels: [String]) -> (labeling: Labeling, rawValues: [String]) {
        var ints: [Int] = []
        ints.reserveCapacity(labels.count)
        for l in labels {
            guard let v = Int(l) else {
                let (labeling, raw) = Labeling.make(labels)
                return (labeling, raw)
            }
            ints.append(v)
        }
        let (labeling, raw) = Labeling.make(ints)
        return (labeling, raw.map(String.init))
    }

    /// The same labels in the order of `indices`.
    public func subset(_ indices: [Int]) -> NamedLabels {
        NamedLabels(source: source, names: names.map { n in indices.map { n[$0] } }, labels: indices.map { labels[$0] })
    }
}
