import Foundation

/// Reads safetensors files: an 8-byte little-endian header length, a JSON header mapping
/// each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to
/// the data section that follows), and the raw little-endian data.
enum SafetensorsReader {
    /// The largest header accepted (the reference implementation's limit).
    static let maxHeaderLength = 100_000_000

    private struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The entries of a header, skipping `__metadata__`.
    private struct Header: Decodable {
        let entries: [(key: String, entry: Entry)]

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            var entries = [(key: String, entry: Entry)]()
            for key in container.allKeys where key.stringValue != "__metadata__" {
                entries.append((key.stringValue, try container.decode(Entry.self, forKey: key)))
            }
            self.entries = entries
        }
    }

    static func read(_ data: Data, file: String) throws(WeightFileError) -> StateDict {
        guard data.count >= 8 else { throw .truncated(file: file, offset: data.count, context: "the 8-byte header length is cut off") }
        let lengthBytes = [UInt8](data.prefix(8))
        let declared = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard declared <= UInt64(maxHeaderLength) else {
            throw .invalidHeader(file: file, reason: "header length \(declared) exceeds \(maxHeaderLength) bytes")
        }
        let headerLength = Int(declared)
        guard data.count - 8 >= headerLength else {
            throw .truncated(file: file, offset: data.count, context: "the JSON header needs bytes 8..<\(8 + headerLength)")
        }
        let headerStart = data.startIndex + 8
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data[headerStart ..< headerStart + headerLength])
        } catch {
            throw .invalidHeader(file: file, reason: describe(error))
        }
        let dataStart = headerStart + headerLength
        let available = data.count - 8 - headerLength

        var located = [(key: String, range: Range<Int>, tensor: WeightTensor)]()
        for (key, entry) in header.entries {
            guard let dtype = WeightDType(rawValue: entry.dtype) else {
                throw .unsupportedDType(file: file, key: key, dtype: entry.dtype)
            }
            guard entry.data_offsets.count == 2 else {
                throw .invalidHeader(file: file, reason: "tensor '\(key)' has \(entry.data_offsets.count) data offsets, not 2")
            }
            let begin = entry.data_offsets[0], end = entry.data_offsets[1]
            guard begin >= 0, begin <= end else {
                throw .invalidHeader(file: file, reason: "tensor '\(key)' has data offsets [\(begin), \(end)]")
            }
            guard end <= available else {
                throw .tensorOutOfRange(file: file, key: key, start: begin, end: end, available: available)
            }
            guard let count = WeightTensor.elementCount(entry.shape),
                  let bytes = count.multipliedReportingOverflowOrNil(by: dtype.byteSize) else {
                throw .inconsistentTensor(file: file, key: key, reason: "invalid shape \(entry.shape)")
            }
            guard bytes == end - begin else {
                throw .inconsistentTensor(file: file, key: key,
                                          reason: "shape \(entry.shape) of \(dtype.rawValue) needs \(bytes) bytes, the header gives \(end - begin)")
            }
            let tensor = WeightTensor(unchecked: dtype, shape: entry.shape, bytes: data[dataStart + begin ..< dataStart + end])
            located.append((key, begin ..< end, tensor))
        }
        located.sort { ($0.range.lowerBound, $0.range.upperBound, $0.key) < ($1.range.lowerBound, $1.range.upperBound, $1.key) }
        var furthest: (key: String, end: Int)?
        for item in located where !item.range.isEmpty {
            if let reach = furthest, item.range.lowerBound < reach.end {
                throw .overlappingTensors(file: file, first: reach.key, second: item.key)
            }
            furthest = (item.key, item.range.upperBound)
        }
        return try StateDict(located.map { ($0.key, $0.tensor) }, file: file, format: .safetensors)
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return "not valid JSON (\(context.debugDescription))"
        case DecodingError.keyNotFound(let key, let context):
            return "'\(key.stringValue)' missing at \(path(context))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(context.debugDescription) at \(path(context))"
        default:
            return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? "the top level" : path
    }
}
