/// What can go wrong reading clusterings and class labels, or matching their items.
/// Every case names the file and, where it helps, the line and a few example names.
public enum ClusteringFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case malformedLine(path: String, line: Int, reason: String)
    case duplicateName(path: String, name: String, firstLine: Int, line: Int)
    case notAClustering(path: String, reason: String)
    /// Item names of `path` differ from those of `reference`.
    case namesMismatch(path: String, reference: String, missing: Int, missingExamples: [String], extra: Int, extraExamples: [String])
    /// Two inputs without names have different lengths.
    case countMismatch(path: String, count: Int, reference: String, referenceCount: Int)
    /// A class-label file lacks images of the clustering.
    case labelsMissingImages(labels: String, clustering: String, missing: Int, examples: [String])
    /// A names file has a different number of lines than the labels it names.
    case namesCountMismatch(namesPath: String, names: Int, path: String, rows: Int)
    case unwritable(path: String, reason: String)

    public var description: String {
        func list(_ names: [String], _ total: Int) -> String {
            let shown = names.map { "'\(NameList.escape($0))'" }.joined(separator: ", ")
            return total > names.count ? "\(shown), ..." : shown
        }
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .empty(let path):
            return "\(path): no items (empty clustering)"
        case .malformedLine(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .duplicateName(let path, let name, let firstLine, let line):
            return "\(path):\(line): name '\(NameList.escape(name))' already appeared on line \(firstLine)"
        case .notAClustering(let path, let reason):
            return "\(path): \(reason)"
        case .namesMismatch(let path, let reference, let missing, let missingExamples, let extra, let extraExamples):
            var parts: [String] = []
            if missing > 0 { parts.append("\(missing) name(s) of \(reference) are missing from it (\(list(missingExamples, missing)))") }
            if extra > 0 { parts.append("\(extra) name(s) in it are not in \(reference) (\(list(extraExamples, extra)))") }
            return "\(path): names do not match: " + parts.joined(separator: "; ")
                + " (use --intersection to compare the shared items only)"
        case .countMismatch(let path, let count, let reference, let referenceCount):
            return "\(path) has \(count) items but \(reference) has \(referenceCount); without names, items are matched by position, so the counts must agree"
        case .labelsMissingImages(let labels, let clustering, let missing, let examples):
            return "\(labels): no class for \(missing) item(s) of \(clustering) (\(list(examples, missing)))"
        case .namesCountMismatch(let namesPath, let names, let path, let rows):
            return "\(namesPath) has \(names) names but \(path) has \(rows) rows"
        case .unwritable(let path, let reason):
            return "\(path): cannot write: \(reason)"
        }
    }
}
