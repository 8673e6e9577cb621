import Foundation
import FrameCutCore

/// Reading and writing NumPy `.npy` files (format versions 1.0, 2.0, 3.0; C order; little endian).
public enum NPYFile {
    private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Reads an array from a `.npy` file.
    public static func read(contentsOf url: URL) throws -> NPYArray {
        let data: Data
        do {
            data = try InputFile.data(at: url)
        } catch {
            throw NPYError.notNPY(error.description)
        }
        return try decode(data)
    }

    /// Decodes the bytes of a `.npy` file.
    public static func decode(_ data: Data) throws -> NPYArray {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10 else { throw NPYError.notNPY("only \(data.count) bytes") }
        guard Array(bytes[0..<6]) == magic else { throw NPYError.notNPY("missing the \\x93NUMPY magic") }
        let major = bytes[6], minor = bytes[7]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw NPYError.notNPY("header length cut off") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw NPYError.unsupportedVersion(major: major, minor: minor)
        }
        guard data.count >= headerStart + headerLength else {
            throw NPYError.malformedHeader("header of \(headerLength) bytes runs past the end of the file")
        }
        let headerBytes = data.subdata(in: data.startIndex + headerStart ..< data.startIndex + headerStart + headerLength)
        guard let header = String(data: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw NPYError.malformedHeader("not text")
        }
        let parsed = try NPYHeader.parse(header)
        let payloadStart = data.startIndex + headerStart + headerLength
        let available = data.count - headerStart - headerLength
        // The shape comes from the file: check it against the bytes really there before
        // allocating (overflow-safe: a shape of (10**12, 10**12) is refused, not a trap).
        guard let neededBytes = MemoryBudget.product(parsed.shape + [parsed.dataType.byteCount]), neededBytes <= UInt64(Int.max) else {
            throw NPYError.malformedHeader("shape \(parsed.shape) needs more than 2^63 bytes of values, the file holds \(available)")
        }
        guard neededBytes <= UInt64(available) else { throw NPYError.truncated(expectedBytes: Int(neededBytes), foundBytes: available) }
        let needed = Int(neededBytes)
        let count = needed / parsed.dataType.byteCount
        let payload = data[payloadStart ..< payloadStart + needed]
        let values: NPYValues
        switch parsed.dataType {
        case .float32: values = .float32(loadLittleEndian(payload, count: count, as: UInt32.self).map { Float(bitPattern: $0) })
        case .float64: values = .float64(loadLittleEndian(payload, count: count, as: UInt64.self).map { Double(bitPattern: $0) })
        case .int32: values = .int32(loadLittleEndian(payload, count: count, as: UInt32.self).map { Int32(bitPattern: $0) })
        case .int64: values = .int64(loadLittleEndian(payload, count: count, as: UInt64.self).map { Int64(bitPattern: $0) })
        }
        return try NPYArray(shape: parsed.shape, values: values)
    }

    private static func loadLittleEndian<T: FixedWidthInteger>(_ bytes: Data, count: Int, as: T.Type) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    buffer[i] = T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
                }
            }
            initialized = count
        }
    }

    /// Encodes an array as `.npy` bytes (version 1.0, or 2.0 when the header needs it).
    public static func encode(_ array: NPYArray) -> Data {
        let shapeText: String
        switch array.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(array.shape[0]),)"
        default: shapeText = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(array.dataType.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad with spaces so that the data starts on a 64-byte boundary; end with a newline.
        var prefix = 10
        if header.utf8.count + 1 + prefix > 65535 + 10 { prefix = 12 }
        let total = ((prefix + header.utf8.count + 1 + 63) / 64) * 64
        header += String(repeating: " ", count: total - prefix - header.utf8.count - 1) + "\n"
        var out = Data(magic)
        let length = header.utf8.count
        if prefix == 10 {
            out.append(contentsOf: [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)])
        } else {
            out.append(contentsOf: [2, 0, UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), UInt8((length >> 16) & 0xFF), UInt8(length >> 24)])
        }
        out.append(contentsOf: Array(header.utf8))
        switch array.values {
        case .float32(let v): appendLittleEndian(v.map(\.bitPattern), to: &out)
        case .float64(let v): appendLittleEndian(v.map(\.bitPattern), to: &out)
        case .int32(let v): appendLittleEndian(v, to: &out)
        case .int64(let v): appendLittleEndian(v, to: &out)
        }
        return out
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ values: [T], to out: inout Data) {
        let le = values.map { $0.littleEndian }
        le.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// Writes an array atomically (a temporary file renamed into place).
    public static func write(_ array: NPYArray, to url: URL) throws {
        try AtomicFile.write(encode(array), to: url)
    }
}

/// The parsed dictionary of a `.npy` header.
struct NPYHeader {
    let dataType: NPYDataType
    let shape: [Int]

    static func parse(_ text: String) throws -> NPYHeader {
        guard let descr = value(of: "descr", in: text) else { throw NPYError.malformedHeader("no 'descr' in \(text.trimmingCharacters(in: .whitespacesAndNewlines))") }
        guard let fortran = value(of: "fortran_order", in: text) else { throw NPYError.malformedHeader("no 'fortran_order'") }
        guard let shapeText = value(of: "shape", in: text) else { throw NPYError.malformedHeader("no 'shape'") }
        let descrValue = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        var normalized = descrValue
        if normalized.hasPrefix("=") { normalized = "<" + normalized.dropFirst() }  // native order on little-endian hosts
        guard let dataType = NPYDataType(rawValue: normalized) else { throw NPYError.unsupportedDataType(descrValue) }
        switch fortran.trimmingCharacters(in: .whitespaces) {
        case "False": break
        case "True": throw NPYError.fortranOrder
        default: throw NPYError.malformedHeader("fortran_order is '\(fortran)'")
        }
        let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        var shape = [Int]()
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "L"))
            if trimmed.isEmpty { continue }
            guard let dim = Int(trimmed), dim >= 0 else { throw NPYError.malformedHeader("bad shape \(shapeText)") }
            shape.append(dim)
        }
        return NPYHeader(dataType: dataType, shape: shape)
    }

    /// The raw text of a key's value in the header's Python dict literal.
    private static func value(of key: String, in text: String) -> String? {
        for quote in ["'", "\""] {
            guard let keyRange = text.range(of: quote + key + quote) else { continue }
            var rest = text[keyRange.upperBound...].drop { $0 == " " }
            guard rest.first == ":" else { return nil }
            rest = rest.dropFirst().drop { $0 == " " }
            if rest.first == "(" {
                guard let close = rest.firstIndex(of: ")") else { return nil }
                return String(rest[...close])
            }
            let end = rest.firstIndex { $0 == "," || $0 == "}" } ?? rest.endIndex
            return String(rest[..<end]).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
