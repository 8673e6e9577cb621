import FrameCutCore

/// Several labellings of the same items, put in one item order.
public struct AlignedLabels: Sendable {
    /// Item names in the common order (nil when the inputs were matched by position).
    public let names: [String]?
    /// Dense labels of each input, in the common item order.
    public let labelings: [Labeling]
    /// Raw label text of each dense id, per input.
    public let rawValues: [[String]]
    /// Items of each input left out (only with `.intersection`).
    public let dropped: [Int]
    /// The inputs' sources.
    public let sources: [String]

    /// Number of items.
    public var count: Int { labelings.first?.count ?? 0 }

    /// A display name for item `i`: its name, or its row index.
    public func name(_ i: Int) -> String { names?[i] ?? String(i) }
}

/// Matches the items of clusterings and class-label files by name (or by position when names
/// are missing) with errors that say how many names differ and show a few.
public enum LabelAlignment {
    /// How to treat items that are not in every input.
    public enum Mode: String, Sendable, CaseIterable {
        /// Every input must hold exactly the same items.
        case exact
        /// Keep the items all inputs share (in the first input's order).
        case intersection
    }

    /// How many example names errors show.
    public static let exampleCount = 5

    /// Aligns labellings to the first input's item order.
    /// - Throws: `ClusteringFileError` for empty inputs, mismatched names (`.exact`), an
    ///   empty intersection, or unnamed inputs of different lengths.
    public static func align(_ inputs: [NamedLabels], mode: Mode = .exact) throws -> AlignedLabels {
        guard let first = inputs.first else { throw ClusteringFileError.empty(path: "(no inputs)") }
        for input in inputs where input.count == 0 { throw ClusteringFileError.empty(path: input.source) }
        let named = inputs.allSatisfy { $0.names != nil }
        if !named {
            for input in inputs.dropFirst() where input.count != first.count {
                throw ClusteringFileError.countMismatch(path: input.source, count: input.count, reference: first.source, referenceCount: first.count)
            }
            let dense = inputs.map { $0.labeling() }
            return AlignedLabels(names: first.names ?? inputs.first { $0.names != nil }?.names,
                                 labelings: dense.map(\.labeling), rawValues: dense.map(\.rawValues),
                                 dropped: inputs.map { _ in 0 }, sources: inputs.map(\.source))
        }
        let firstNames = first.names ?? []
        var order = firstNames
        if mode == .intersection {
            var common = Set(firstNames)
            for input in inputs.dropFirst() { common.formIntersection(input.names ?? []) }
            order = firstNames.filter { common.contains($0) }
            guard !order.isEmpty else {
                throw ClusteringFileError.notAClustering(path: inputs.map(\.source).joined(separator: ", "), reason: "the inputs share no item names")
            }
        }
        var labelings: [Labeling] = [], raws: [[String]] = [], dropped: [Int] = []
        for input in inputs {
            let names = input.names ?? []
            var index: [String: Int] = [:]
            index.reserveCapacity(names.count)
            for (i, n) in names.enumerated() { index[n] = i }
            if mode == .exact {
                try checkSameNames(input: input, index: index, reference: first, referenceNames: order)
            }
            let positions = order.compactMap { index[$0] }
            let (labeling, raw) = NamedLabels.labeling(of: positions.map { input.labels[$0] })
            labelings.append(labeling)
            raws.append(raw)
            dropped.append(input.count - positions.count)
        }
        return AlignedLabels(names: order, labelings: labelings, rawValues: raws, dropped: dropped, sources: inputs.map(\.source))
    }

    /// The classes of the clustering's items, in the clustering's order. Class files may
    /// hold more items than the clustering (e.g. a whole data set); every clustered item
    /// needs a class.
    /// - Throws: `ClusteringFileError.labelsMissingImages` naming a few items without a class,
    ///   or `.countMismatch` for unnamed inputs of different lengths.
    public static func classes(_ classes: NamedLabels, for clustering: NamedLabels) throws -> NamedLabels {
        guard let clusterNames = clustering.names, let classNames = classes.names else {
            guard classes.count == clustering.count else {
                throw ClusteringFileError.countMismatch(path: classes.source, count: classes.count, reference: clustering.source, referenceCount: clustering.count)
            }
            return classes
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(classNames.count)
        for (i, n) in classNames.enumerated() { index[n] = i }
        var positions: [Int] = [], missing: [String] = []
        var missingCount = 0
        for n in clusterNames {
            if let p = index[n] { positions.append(p) } else {
                missingCount += 1
                if missing.count < exampleCount { missing.append(n) }
            }
        }
        guard missingCount == 0 else {
            throw ClusteringFileError.labelsMissingImages(labels: classes.source, clustering: clustering.source, missing: missingCount, examples: missing)
        }
        return classes.subset(positions)
    }

    private static func checkSameNames(input: NamedLabels, index: [String: Int], reference: NamedLabels, referenceNames: [String]) throws {
        let referenceSet = Set(referenceNames)
        let missing = referenceNames.filter { index[$0] == nil }
        let extra = (input.names ?? []).filter { !referenceSet.contains($0) }
        if !missing.isEmpty || !extra.isEmpty {
            throw ClusteringFileError.namesMismatch(
                path: input.source, reference: reference.source,
                missing: missing.count, missingExamples: Array(missing.prefix(exampleCount)),
                extra: extra.count, extraExamples: Array(extra.prefix(exampleCount)))
        }
    }
}
