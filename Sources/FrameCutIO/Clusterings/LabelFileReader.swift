import Foundation
import FrameCutCore

/// Reads clusterings and class labels.
///
/// - A folder: its `clusters.csv`, else its `labels.npy` (the outputs of `framecut cluster`).
/// - `.npy`: one integer label per row (int32 or int64, shape `(n,)` or `(n, 1)`); items are
///   unnamed unless a names file (one name per line) is given.
/// - Anything else: CSV with two columns `name,label` (RFC 4180 quoting). A first line whose
///   second field is `cluster`, `class`, `label`, `labels`, `classes` or `target`
///   (any case) is a header.
public enum LabelFileReader {
    /// Header words recognised in the second column.
    public static let headerWords: Set<String> = ["cluster", "class", "label", "labels", "classes", "target", "clusters"]

    /// The files `read(path:)` may read for `path`: the path itself, and for a folder its
    /// `clusters.csv` and `labels.npy` (to register as inputs with ``OutputGuard``).
    public static func inputFiles(for path: String) -> [String] {
        guard FileKind.of(path) == .folder else { return [path] }
        return [path, (path as NSString).appendingPathComponent("clusters.csv"), (path as NSString).appendingPathComponent("labels.npy")]
    }

    /// Reads labels from `path`.
    /// - Parameter namesFile: names for the rows of an `.npy` file (ignored for CSV, whose
    ///   rows carry their names).
    public static func read(path: String, namesFile: String? = nil) throws -> NamedLabels {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ClusteringFileError.unreadable(path: path, reason: "no such file or folder")
        }
        if isDirectory.boolValue {
            let csv = (path as NSString).appendingPathComponent("clusters.csv")
            let npy = (path as NSString).appendingPathComponent("labels.npy")
            if FileManager.default.fileExists(atPath: csv) { return try readCSV(path: csv) }
            if FileManager.default.fileExists(atPath: npy) { return try readNPY(path: npy, namesFile: namesFile) }
            throw ClusteringFileError.notAClustering(path: path, reason: "folder has neither clusters.csv nor labels.npy")
        }
        if path.lowercased().hasSuffix(".npy") { return try readNPY(path: path, namesFile: namesFile) }
        return try readCSV(path: path)
    }

    /// Reads a `name,label` CSV file.
    public static func readCSV(path: String) throws -> NamedLabels {
        return try parseCSV(try InputFile.text(at: URL(fileURLWithPath: path)), source: path)
    }

    /// Parses `name,label` CSV text.
    public static func parseCSV(_ text: String, source: String) throws -> NamedLabels {
        let records = try CSVRecords.parse(text, source: source)
        var names: [String] = [], labels: [String] = []
        var firstLine: [String: Int] = [:]
        for (k, record) in records.enumerated() {
            let fields = record.fields
            if k == 0, fields.count >= 2, headerWords.contains(fields[1].trimmingCharacters(in: .whitespaces).lowercased()) {
                continue
            }
            if fields.count == 1 && fields[0].isEmpty { continue }  // blank line
            guard fields.count >= 2 else {
                throw ClusteringFileError.malformedLine(path: source, line: record.line, reason: "expected 'name,label', found \(fields.count) field(s)")
            }
            let name = fields[0]
            let label = fields[1].trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else {
                throw ClusteringFileError.malformedLine(path: source, line: record.line, reason: "empty label for '\(name)'")
            }
            if let first = firstLine[name] {
                throw ClusteringFileError.duplicateName(path: source, name: name, firstLine: first, line: record.line)
            }
            firstLine[name] = record.line
            names.append(name)
            labels.append(label)
        }
        guard !labels.isEmpty else { throw ClusteringFileError.empty(path: source) }
        return NamedLabels(source: source, names: names, labels: labels)
    }

    /// Reads integer labels from an `.npy` file, named by `namesFile` (one name per line) if given.
    public static func readNPY(path: String, namesFile: String? = nil) throws -> NamedLabels {
        let array: NPYArray
        do { array = try NPYFile.read(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ClusteringFileError.notAClustering(path: path, reason: String(describing: error))
        }
        guard array.shape.count == 1 || (array.shape.count == 2 && array.shape[1] == 1) else {
            throw ClusteringFileError.notAClustering(path: path, reason: "expected one label per row (shape (n,) or (n, 1)), found shape \(array.shape)")
        }
        let values: [Int32]
        do { values = try array.int32Values() } catch {
            throw ClusteringFileError.notAClustering(path: path, reason: String(describing: error))
        }
        guard !values.isEmpty else { throw ClusteringFileError.empty(path: path) }
        let names = try namesFile.map { try readNames(path: $0, expected: values.count, for: path) }
        return NamedLabels(source: path, names: names, labels: values.map { String($0) })
    }

    /// Reads a names file (see ``NameList``): one name per line, no blank or repeated names.
    public static func readNames(path: String, expected: Int? = nil, for labelsPath: String = "") throws -> [String] {
        try NameList.read(path: path, expected: expected, rowsOf: labelsPath)
    }
}

/// Records of RFC 4180 CSV text (quoted fields may hold commas, quotes and line breaks).
struct CSVRecords {
    struct Record {
        /// 1-based line where the record starts.
        let line: Int
        let fields: [String]
    }

    static func parse(_ text: String, source: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var afterQuote = false
        var line = 1, recordLine = 1
        var chars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func nextChar() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        func endRecord() {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
            fields = []
            field = ""
            afterQuote = false
        }
        var sawAny = false
        while let c = nextChar() {
            sawAny = true
            if inQuotes {
                if c == "\"" {
                    if let d = nextChar() {
                        if d == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; afterQuote = true; pending = d }
                    } else {
                        inQuotes = false; afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case ",":
                fields.append(field); field = ""; afterQuote = false
            case "\r":
                break
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
            default:
                if afterQuote {
                    throw ClusteringFileError.malformedLine(path: source, line: line, reason: "text after a closing quote")
                }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw ClusteringFileError.malformedLine(path: source, line: recordLine, reason: "unterminated quoted field") }
        if sawAny && !(fields.isEmpty && field.isEmpty && !afterQuote) { endRecord() }
        return records
    }
}
