import Foundation

/// Names files: one item name per line, the one format every command reads and writes.
///
/// Reading accepts LF and CRLF line ends and a UTF-8 byte-order mark; a blank line or a name
/// that occurs twice is an error naming the line (rows and names must stay aligned one to one).
///
/// Names are stored escaped so that any name fits on one line and reads back the same
/// (`read(write(names)) == names`): a backslash is written `\\`, a line feed `\n`, a carriage
/// return `\r`. On reading, `\\`, `\n` and `\r` are decoded; any other backslash is kept as it is.
public enum NameList {
    /// One name as it is written on its line.
    public static func escape(_ name: String) -> String {
        guard name.contains(where: { $0 == "\\" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return name }
        var out = ""
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The name a line holds (the inverse of ``escape(_:)``).
    public static func unescape(_ line: Substring) -> String {
        guard line.contains("\\") else { return String(line) }
        var out = ""
        var scalars = line.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\\" else { out.unicodeScalars.append(scalar); continue }
            switch scalars.next() {
            case "\\": out += "\\"
            case "n": out += "\n"
            case "r": out += "\r"
            case let other?: out += "\\"; out.unicodeScalars.append(other)
            case nil: out += "\\"
            }
        }
        return out
    }

    /// The text of a names file for `names`.
    public static func text(_ names: [String]) -> String {
        var out = ""
        for name in names { out += escape(name); out += "\n" }
        return out
    }

    /// Writes a names file atomically.
    public static func write(_ names: [String], to url: URL) throws {
        try AtomicFile.write(text(names), to: url)
    }

    /// Reads the names file at `path`. With `expected`, the count must match (`rowsOf` names
    /// what the rows belong to, for the message).
    public static func read(path: String, expected: Int? = nil, rowsOf: String = "") throws -> [String] {
        let text = try InputFile.text(at: URL(fileURLWithPath: path))
        return try parse(text, source: path, expected: expected, rowsOf: rowsOf)
    }

    /// Parses names-file text (without a byte-order mark).
    public static func parse(_ text: String, source: String, expected: Int? = nil, rowsOf: String = "") throws -> [String] {
        // "\r\n" is one Character in Swift: split on both, so that CRLF files read as LF files.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last?.isEmpty == true { lines.removeLast() }
        if let expected, lines.count != expected {
            throw ClusteringFileError.namesCountMismatch(namesPath: source, names: lines.count, path: rowsOf, rows: expected)
        }
        var names: [String] = []
        names.reserveCapacity(lines.count)
        var seen: [String: Int] = [:]
        for (i, line) in lines.enumerated() {
            guard !line.isEmpty else { throw ClusteringFileError.malformedLine(path: source, line: i + 1, reason: "empty name") }
            let name = unescape(line)
            if let first = seen[name] { throw ClusteringFileError.duplicateName(path: source, name: name, firstLine: first, line: i + 1) }
            seen[name] = i + 1
            names.append(name)
        }
        return names
    }
}
