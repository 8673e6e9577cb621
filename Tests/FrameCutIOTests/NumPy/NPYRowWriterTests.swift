import Foundation
import Testing
@testable import FrameCutIO

@Suite("NPY row writer: streamed 2-D float32 files")
struct NPYRowWriterTests {
    static func folder() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "framecut-npyrows-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("blocks of rows read back as one array with the final shape")
    func roundTrip() throws {
        let url = try Self.folder().appendingPathComponent("x.npy")
        let writer = try NPYRowWriter(url: url, columns: 3)
        try writer.append([1, 2, 3, 4, 5, 6])
        try writer.append([])
        try writer.append([7, 8, -9.5])
        #expect(!FileManager.default.fileExists(atPath: url.path), "visible before finish()")
        try writer.finish()
        let array = try NPYFile.read(contentsOf: url)
        #expect(array.shape == [3, 3])
        #expect(array.floatValues() == [1, 2, 3, 4, 5, 6, 7, 8, -9.5])
        // Same bytes as the in-memory encoder for this shape (both pad the header to 128 bytes).
        let encoded = NPYFile.encode(try NPYArray(shape: [3, 3], values: .float32([1, 2, 3, 4, 5, 6, 7, 8, -9.5])))
        #expect(try Data(contentsOf: url) == encoded)
    }

    @Test("a writer dropped before finish() leaves nothing behind")
    func abandoned() throws {
        let folder = try Self.folder()
        do {
            let writer = try NPYRowWriter(url: folder.appendingPathComponent("y.npy"), columns: 2)
            try writer.append([1, 2])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("large shapes still fit the reserved header")
    func largeShape() {
        #expect(NPYRowWriter.header(rows: 10_000_000_000, columns: 1_000_000).count == NPYRowWriter.headerSize)
    }
}
