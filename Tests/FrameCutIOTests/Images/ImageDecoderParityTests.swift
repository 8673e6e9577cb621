import Foundation
import Testing
import FrameCutIO

/// Locates fixture files inside the test bundle's copied `Fixtures` folder.
enum ImageFixtures {
    static var root: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/images")
    }

    struct Reference: Decodable {
        let width: Int
        let height: Int
        let mode: String
        let sha256: String
        let mean: Double
    }

    static func references() throws -> [String: Reference] {
        let data = try Data(contentsOf: root.appendingPathComponent("pil_rgb.json"))
        return try JSONDecoder().decode([String: Reference].self, from: data)
    }
}

@Suite("Image decoding: PIL byte parity")
struct ImageDecoderParityTests {
    static let names: [String] = (try? ImageFixtures.references().keys.sorted()) ?? []

    /// Files where FrameCut deliberately differs from PIL, and why.
    static let divergent: [String: String] = [
        "truncated_progressive.jpg": "PIL's suspending JPEG source never finishes the first output pass of a truncated progressive JPEG and returns an all-black image; libjpeg-turbo keeps the scans that arrived",
    ]

    @Test("the reference file lists every decoder case (a missing fixture fails, never skips)")
    func fixtureComplete() throws {
        #expect(try ImageFixtures.references().count == 48)
        #expect(Self.names.count == 48)
    }

    @Test("decoded RGB bytes equal PIL's", arguments: names)
    func parity(name: String) throws {
        let reference = try #require(try ImageFixtures.references()[name])
        let decoded = try ImageDecoder().decode(contentsOf: ImageFixtures.root.appendingPathComponent(name))
        #expect(decoded.image.width == reference.width)
        #expect(decoded.image.height == reference.height)
        let mean = Double(decoded.image.pixels.reduce(0) { $0 + Int($1) }) / Double(max(1, decoded.image.pixels.count))
        if let why = Self.divergent[name] {
            #expect(SHA256.hex(decoded.image.pixels) != reference.sha256, "\(name) now matches PIL: \(why)")
            #expect(mean > 20, "\(name): expected the scans that arrived, got mean \(mean)")
        } else {
            #expect(SHA256.hex(decoded.image.pixels) == reference.sha256, "\(name): mode \(reference.mode), mean \(mean) vs PIL \(reference.mean)")
        }
        if name.hasPrefix("truncated") {
            #expect(decoded.isTruncated, "\(name) should carry a truncation warning")
        } else {
            #expect(decoded.warnings.isEmpty, "\(decoded.warnings)")
        }
    }

    @Test("the format comes from the content, not the name")
    func formatFromContent() throws {
        let bytes = try [UInt8](Data(contentsOf: ImageFixtures.root.appendingPathComponent("png_rgb8.png")))
        let decoded = try ImageDecoder().decode(bytes, path: "misnamed.jpg")
        #expect(decoded.format == .png)
        #expect(ImageFormat.detect(bytes) == .png)
    }

    @Test("probe reads the size without decoding", arguments: ["jpeg_cmyk.jpg", "png_rgba16.png", "webp_alpha.webp", "gif_palette.gif", "bmp_rgb24.bmp"])
    func probe(name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: ImageFixtures.root.appendingPathComponent(name)))
        let info = try ImageDecoder().probe(bytes, path: name)
        #expect(info.width == 61 && info.height == 45)
    }

    @Test("SHA-256 matches the FIPS test vectors")
    func sha256() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
