import Foundation
import Testing
import FrameCutIO

/// Folders, images and the real EfficientNet-Lite0 weights (scripts/fetch_test_data.sh) for
/// the pipeline tests.
enum PipelineTestSupport {
    static var testData: URL {
        if let path = ProcessInfo.processInfo.environment["FRAMECUT_TEST_DATA"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".cache/test-data")
    }

    static func weights() throws -> URL {
        let url = testData.appendingPathComponent("efficientnet-lite0-57934424.pth")
        try #require(FileManager.default.fileExists(atPath: url.path), "\(url.path) missing: run scripts/fetch_test_data.sh")
        return url
    }

    static func temporaryFolder() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "framecut-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A 24-bit BMP of `size x size` pixels whose content depends on `seed` (distinct images).
    static func bmp(seed: Int, size: Int = 48) -> Data {
        let rowBytes = (size * 3 + 3) / 4 * 4
        var data = Data()
        func le32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { data.append(contentsOf: $0) } }
        func le16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("BM".utf8))
        le32(54 + rowBytes * size); le32(0); le32(54)
        le32(40); le32(size); le32(size); le16(1); le16(24); le32(0); le32(rowBytes * size); le32(2835); le32(2835); le32(0); le32(0)
        for y in 0..<size {
            var row = [UInt8](repeating: 0, count: rowBytes)
            for x in 0..<size {
                row[3 * x] = UInt8((x * (seed + 3) + y * 7) & 255)
                row[3 * x + 1] = UInt8((y * (seed % 5 + 1) * 11 + seed * 29) & 255)
                row[3 * x + 2] = UInt8(((x ^ y) * (seed % 7 + 2)) & 255)
            }
            data.append(contentsOf: row)
        }
        return data
    }

    /// `count` distinct BMPs, two photos, and (when `broken`) a text file named .jpg and an empty .png.
    static func collection(count: Int = 4, photos: Bool = true, broken: Bool = false) throws -> URL {
        let folder = try temporaryFolder().appendingPathComponent("images")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for i in 0..<count { try bmp(seed: i).write(to: folder.appendingPathComponent(String(format: "img%02d.bmp", i))) }
        if photos {
            try FileManager.default.copyItem(at: testData.appendingPathComponent("chelsea.png"), to: folder.appendingPathComponent("chelsea.png"))
            try FileManager.default.copyItem(at: testData.appendingPathComponent("coffee.png"), to: folder.appendingPathComponent("sub/coffee.png"))
        }
        if broken {
            try Data("this is not a JPEG".utf8).write(to: folder.appendingPathComponent("broken.jpg"))
            try Data().write(to: folder.appendingPathComponent("sub/empty.png"))
        }
        return folder
    }
}
