import Foundation

/// Writes analysis results: key-sorted, pretty JSON with snake_case keys, and CSV tables.
public enum AnalysisOutput {
    /// JSON for any result (snake_case keys, sorted, pretty, trailing newline; NaN and
    /// infinities as the strings "nan", "inf", "-inf").
    public static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try encoder.encode(value)
        data.append(0x0A)
        return data
    }

    /// Writes `data` to `path` atomically, creating the parent folder.
    public static func write(_ data: Data, to path: String) throws {
        try AtomicFile.write(data, to: URL(fileURLWithPath: path))
    }

    /// Writes each file of `files` (name → contents) into `folder`.
    public static func write(files: [(name: String, data: Data)], into folder: String) throws {
        for file in files { try write(file.data, to: (folder as NSString).appendingPathComponent(file.name)) }
    }

    /// A number as CSV text: shortest round-trip form, integers without ".0".
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return String(x)
    }

    /// An optional number; empty when nil.
    public static func number(_ x: Double?) -> String { x.map { number($0) } ?? "" }
}

/// A CSV table (RFC 4180 quoting where needed, `\n` line ends).
public struct AnalysisCSV: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(header: [String]) { self.header = header }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as text.
    public var text: String {
        var out = ""
        for row in [header] + rows {
            out += row.map(Self.field).joined(separator: ",")
            out += "\n"
        }
        return out
    }

    public var data: Data { Data(text.utf8) }

    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
