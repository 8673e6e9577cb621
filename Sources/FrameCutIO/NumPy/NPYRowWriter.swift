import Foundation

/// Writes a 2-D float32 `.npy` file row block by row block, without holding it in memory
/// (100k images x 25088 floats is 10 GB). The rows go to a temporary file beside the
/// destination, whose fixed-size header gets the final row count in `finish()`, which then
/// renames it into place: readers never see a partial file.
public final class NPYRowWriter {
    public let url: URL
    public let columns: Int
    public private(set) var rows = 0
    private let writer: AtomicFileWriter
    /// Header bytes reserved (a version 1.0 header padded to this size fits any 2-D shape).
    static let headerSize = 128

    public init(url: URL, columns: Int) throws {
        guard columns > 0 else { throw NPYError.malformedHeader("\(url.path): a row writer needs at least one column, got \(columns)") }
        self.url = url
        self.columns = columns
        writer = try AtomicFileWriter(destination: url)
        try writer.write(Self.header(rows: 0, columns: columns))
    }

    static func header(rows: Int, columns: Int) -> Data {
        var text = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        text += String(repeating: " ", count: headerSize - 10 - text.utf8.count - 1) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = text.utf8.count
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(text.utf8))
        return data
    }

    /// Appends whole rows (`values.count` a multiple of `columns`).
    public func append(_ values: [Float]) throws {
        guard values.count % columns == 0 else {
            throw NPYError.malformedHeader("\(url.path): \(values.count) values are not whole rows of \(columns)")
        }
        guard !values.isEmpty else { return }
        let data = values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { Data($0) }
        try writer.write(data)
        rows += values.count / columns
    }

    /// Writes the final shape into the header and moves the file into place.
    public func finish() throws {
        try writer.write(Self.header(rows: rows, columns: columns), at: 0)
        try writer.commit()
    }
}
