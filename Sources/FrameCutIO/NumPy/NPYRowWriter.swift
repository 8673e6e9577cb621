import Foundation

/// Writes a 2-D float32 `.npy` file row block by row block, without holding it in memory
/// (100k images x 25088 floats is 10 GB). The rows go to a temporary file beside the
/// destination, whose fixed-size header gets the final row count in `finish()`, which then
/// renames it into place: readers never see a partial file.
public final class NPYRowWriter {
    public let url: URL
    public let columns: Int
    public private(set) var rows = 0
    private let temporary: URL
    private let handle: FileHandle
    private var finished = false
    /// Header bytes reserved (a version 1.0 header padded to this size fits any 2-D shape).
    static let headerSize = 128

    public init(url: URL, columns: Int) throws {
        precondition(columns > 0, "NPYRowWriter: columns must be positive")
        self.url = url
        self.columns = columns
        let folder = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        self.handle = handle
        try handle.write(contentsOf: Self.header(rows: 0, columns: columns))
    }

    deinit {
        if !finished {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
        }
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
        precondition(values.count % columns == 0, "NPYRowWriter: \(values.count) values are not whole rows of \(columns)")
        guard !values.isEmpty else { return }
        let data = values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { Data($0) }
        try handle.write(contentsOf: data)
        rows += values.count / columns
    }

    /// Writes the final shape into the header and moves the file into place.
    public func finish() throws {
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Self.header(rows: rows, columns: columns))
        try handle.synchronize()
        try handle.close()
        if rename(temporary.path, url.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path,
                                                           NSLocalizedDescriptionKey: "cannot move into place: \(String(cString: strerror(code)))"])
        }
        finished = true
    }
}
