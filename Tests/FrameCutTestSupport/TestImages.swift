import Foundation

/// Synthetic images and folders shared by the test targets (one BMP writer for all of them).
public enum TestImages {
    /// The test data fetched by `scripts/fetch_test_data.sh` (`FRAMECUT_TEST_DATA`, else
    /// `.cache/test-data` in the repository).
    public static var testData: URL {
        if let path = ProcessInfo.processInfo.environment["FRAMECUT_TEST_DATA"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".cache/test-data")
    }

    /// A new empty folder under the temporary directory, named `prefix-UUID`.
    public static func temporaryFolder(prefix: String) throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// An uncompressed 24-bit BMP of `size x size` pixels; `pixel(x, y)` gives the three bytes
    /// of a pixel in file order (blue, green, red), rows from the bottom as BMP stores them.
    public static func bmp(size: Int, pixel: (_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8)) -> Data {
        let rowBytes = (size * 3 + 3) / 4 * 4
        var data = Data("BM".utf8)
        func le32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { data.append(contentsOf: $0) } }
        func le16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { data.append(contentsOf: $0) } }
        le32(54 + rowBytes * size); le32(0); le32(54)
        le32(40); le32(size); le32(size); le16(1); le16(24); le32(0); le32(rowBytes * size); le32(2835); le32(2835); le32(0); le32(0)
        for y in 0..<size {
            var row = [UInt8](repeating: 0, count: rowBytes)
            for x in 0..<size {
                let (b, g, r) = pixel(x, y)
                row[3 * x] = b
                row[3 * x + 1] = g
                row[3 * x + 2] = r
            }
            data.append(contentsOf: row)
        }
        return data
    }

    /// Writes `count` BMPs made by `image(i)` into `folder` (created), named by `name(i)`
    /// (relative paths; their folders are created).
    public static func writeFolder(_ folder: URL, count: Int, name: (Int) -> String, image: (Int) -> Data) throws {
        for i in 0..<count {
            let url = folder.appendingPathComponent(name(i))
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try image(i).write(to: url)
        }
    }
}
