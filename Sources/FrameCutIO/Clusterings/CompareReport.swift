import Foundation
import FrameCutCore

/// `framecut compare`: agreement between clusterings of the same items by different models
/// (supplement Figures 11, 13): VI, normalised VI and ARI for every pair.
public struct CompareReport: Encodable, Sendable {
    public let version: String
    /// Display names (model names) and the files they came from.
    public let names: [String]
    public let sources: [String]
    public let items: Int
    /// Items of each input left out (with `--intersection`).
    public let dropped: [Int]
    public let clusters: [Int]
    public let logBase: LogBase
    public let variationOfInformation: [[Double]]
    public let normalizedVI: [[Double]]
    public let adjustedRandIndex: [[Double]]

    /// Compares clusterings.
    /// - Parameter names: display names, one per input (default: the file names).
    /// - Throws: `ClusteringFileError` for mismatched items or names, `MetricsError` for
    ///   empty clusterings.
    public init(_ inputs: [NamedLabels], names: [String]? = nil, mode: LabelAlignment.Mode = .exact, base: LogBase = .natural) throws {
        if let names, names.count != inputs.count {
            throw ClusteringFileError.notAClustering(path: "--names", reason: "\(names.count) names given for \(inputs.count) clusterings")
        }
        let aligned = try LabelAlignment.align(inputs, mode: mode)
        let matrix = try ComparisonMatrix(aligned.labelings, base: base)
        version = FrameCutVersion.string
        self.names = names ?? Self.displayNames(inputs.map(\.source))
        sources = inputs.map(\.source)
        items = aligned.count
        dropped = aligned.dropped
        clusters = matrix.clusters
        logBase = base
        variationOfInformation = matrix.variationOfInformation
        normalizedVI = matrix.normalizedVI
        adjustedRandIndex = matrix.adjustedRandIndex
    }

    /// Short names for files: the file name, or the folder name for `DIR/clusters.csv`.
    public static func displayNames(_ paths: [String]) -> [String] {
        paths.map { path in
            let url = URL(fileURLWithPath: path)
            let file = url.lastPathComponent
            if file == "clusters.csv" || file == "labels.npy" || file.isEmpty {
                return url.deletingLastPathComponent().lastPathComponent
            }
            return url.deletingPathExtension().lastPathComponent
        }
    }

    /// A square matrix as CSV with the names as header and first column.
    public func matrixTable(_ m: [[Double]]) -> AnalysisCSV {
        var t = AnalysisCSV(header: [""] + names)
        for (i, row) in m.enumerated() { t.append([names[i]] + row.map { AnalysisOutput.number($0) }) }
        return t
    }

    /// One row per pair.
    public var pairsTable: AnalysisCSV {
        var t = AnalysisCSV(header: ["a", "b", "vi", "normalized_vi", "ari"])
        for i in names.indices { for j in names.indices where j > i {
            t.append([names[i], names[j], AnalysisOutput.number(variationOfInformation[i][j]),
                      AnalysisOutput.number(normalizedVI[i][j]), AnalysisOutput.number(adjustedRandIndex[i][j])])
        } }
        return t
    }

    /// The files `--out DIR` writes.
    public func files() throws -> [(name: String, data: Data)] {
        [("compare.json", try AnalysisOutput.json(self)), ("vi.csv", matrixTable(variationOfInformation).data),
         ("ari.csv", matrixTable(adjustedRandIndex).data), ("pairs.csv", pairsTable.data)]
    }

    /// A readable VI matrix.
    public var summary: String {
        let unit = logBase == .bits ? "bits" : "nats"
        let width = max(8, (names.map(\.count).max() ?? 0) + 1)
        func pad(_ s: String) -> String { s.count >= width ? s : String(repeating: " ", count: width - s.count) + s }
        var lines = ["\(items) items; \(names.count) clusterings (" + zip(names, clusters).map { "\($0): \($1)" }.joined(separator: ", ") + " clusters)",
                     "VI (\(unit)):", pad("") + names.map(pad).joined()]
        for (i, row) in variationOfInformation.enumerated() {
            lines.append(pad(names[i]) + row.map { pad(String(format: "%.4f", $0)) }.joined())
        }
        lines.append("ARI:")
        for (i, row) in adjustedRandIndex.enumerated() {
            lines.append(pad(names[i]) + row.map { pad(String(format: "%.4f", $0)) }.joined())
        }
        if dropped.contains(where: { $0 > 0 }) {
            lines.append("left out (not in every input): " + zip(names, dropped).map { "\($0) \($1)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
