import Foundation
import Testing
import FrameCutIO
import FrameCutTestSupport

/// Folders, images and the real EfficientNet-Lite0 weights (scripts/fetch_test_data.sh) for
/// the pipeline tests.
enum PipelineTestSupport {
    static var testData: URL { TestImages.testData }

    static func weights() throws -> URL {
        let url = testData.appendingPathComponent("efficientnet-lite0-57934424.pth")
        try #require(FileManager.default.fileExists(atPath: url.path), "\(url.path) missing: run scripts/fetch_test_data.sh")
        return url
    }

    static func temporaryFolder() throws -> URL {
        try TestImages.temporaryFolder(prefix: "framecut-pipeline")
    }

    /// A 24-bit BMP of `size x size` pixels whose content depends on `seed` (distinct images).
    static func bmp(seed: Int, size: Int = 48) -> Data {
        TestImages.bmp(size: size) { x, y in
            (UInt8((x * (seed + 3) + y * 7) & 255), UInt8((y * (seed % 5 + 1) * 11 + seed * 29) & 255), UInt8(((x ^ y) * (seed % 7 + 2)) & 255))
        }
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
