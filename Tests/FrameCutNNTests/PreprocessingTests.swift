import Foundation
import Testing
import FrameCutIO
import FrameCutNN

/// Reference tensors from torchvision / Hugging Face / timm (scripts/reference/images_reference.py).
struct PreprocessingReference: Decodable {
    let shape: [Int]
    let crop_sha256: String
    let channel_sums: [Double]
    let samples: [[Double]]
}

enum NNFixtures {
    static var root: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures") }
    static let references: [String: [String: PreprocessingReference]] = {
        guard let data = try? Data(contentsOf: root.appendingPathComponent("preprocessing.json")),
              let refs = try? JSONDecoder().decode([String: [String: PreprocessingReference]].self, from: data) else { return [:] }
        return refs
    }()
    static let images = ["photo_500x375.jpg", "portrait_301x433.jpg", "small_97x61.png"]
}

@Suite("Preprocessing: parity with torchvision / Hugging Face / timm")
struct PreprocessingParityTests {
    @Test("the reference file covers every recipe on every test image (a missing fixture fails, never skips)")
    func fixtureComplete() {
        #expect(Preprocessing.models.count == 9)
        #expect(Set(NNFixtures.references.keys) == Set(Preprocessing.models.map(\.name)))
        for (name, images) in NNFixtures.references {
            #expect(Set(images.keys) == Set(NNFixtures.images), "\(name)")
        }
    }

    @Test("every recipe matches its reference within 2e-7 (float rounding; docs/images.md)", arguments: Preprocessing.models.map(\.name))
    func recipe(name: String) throws {
        let recipe = try #require(Preprocessing.named(name))
        let references = try #require(NNFixtures.references[name], "no reference for \(name)")
        for imageName in NNFixtures.images {
            let reference = try #require(references[imageName])
            let image = try ImageDecoder().decode(contentsOf: NNFixtures.root.appendingPathComponent(imageName)).image
            let crop = recipe.resizedAndCropped(image)
            #expect(SHA256.hex(crop.pixels) == reference.crop_sha256, "\(name) \(imageName): resized+cropped bytes differ from the reference's")
            let tensor = recipe.apply(image)
            #expect(tensor.shape == reference.shape)
            var maxDiff: Double = 0
            for sample in reference.samples {
                maxDiff = max(maxDiff, abs(Double(tensor.values[Int(sample[0])]) - sample[1]))
            }
            #expect(maxDiff <= 2e-7, "\(name) \(imageName): max abs diff \(maxDiff)")
            let plane = tensor.height * tensor.width
            for c in 0..<3 {
                let sum = tensor.values[(c * plane)..<((c + 1) * plane)].reduce(0.0) { $0 + Double($1) }
                #expect(abs(sum - reference.channel_sums[c]) / Double(plane) <= 1e-5, "\(name) \(imageName) channel \(c): mean differs")
            }
        }
    }
}

@Suite("Preprocessing: building blocks")
struct PreprocessingUnitTests {
    @Test("shorter-side sizes follow torchvision's int(n * long / short)")
    func sizes() {
        let r = Preprocessing.resNet50
        #expect(r.resizedSize(width: 500, height: 375) == (309, 232))
        #expect(r.resizedSize(width: 375, height: 500) == (232, 309))
        #expect(Preprocessing.inceptionResNetV2.resizedSize(width: 640, height: 480) == (444, 333))
        #expect(Preprocessing.convNeXtV2Tiny.resizedSize(width: 100, height: 100) == (256, 256))
    }

    @Test("centre-crop offsets round like torchvision and Hugging Face")
    func cropOffsets() throws {
        var pixels = [UInt8]()
        for x in 0..<5 { pixels += [UInt8(x), 0, 0] }
        let row = try #require(RGBImage(width: 5, height: 1, pixels: pixels))
        // d = 3: torchvision int(round(1.5)) = 2, Hugging Face 3 // 2 = 1.
        #expect(CenterCrop.crop(row, width: 2, height: 1, rounding: .roundHalfEven).pixels[0] == 2)
        #expect(CenterCrop.crop(row, width: 2, height: 1, rounding: .floor).pixels[0] == 1)
        // d = 1: round(0.5) = 0 (halves to even).
        #expect(CenterCrop.crop(row, width: 4, height: 1, rounding: .roundHalfEven).pixels[0] == 0)
        // Larger than the image: zero padding, left = d // 2.
        let padded = CenterCrop.crop(row, width: 8, height: 3)
        #expect(padded.width == 8 && padded.height == 3)
        #expect(padded[1, 1].r == 0 && padded[2, 1].r == 1 && padded[1, 0].r == 0)
    }

    @Test("resizing to the same size returns the image unchanged; constant images stay constant", arguments: ResampleFilter.allCases)
    func identity(filter: ResampleFilter) throws {
        let image = try #require(RGBImage(width: 7, height: 5, pixels: (0..<105).map { UInt8($0 * 2) }))
        #expect(PILResampler.resize(image, width: 7, height: 5, filter: filter) == image)
        let flat = try #require(RGBImage(width: 9, height: 6, pixels: [UInt8](repeating: 77, count: 162)))
        let out = PILResampler.resize(flat, width: 4, height: 13, filter: filter)
        #expect(out.pixels.allSatisfy { $0 == 77 })
    }

    @Test("recipes round-trip through JSON")
    func codable() throws {
        let data = try JSONEncoder().encode(Preprocessing.models)
        #expect(try JSONDecoder().decode([Preprocessing].self, from: data) == Preprocessing.models)
    }
}

@Suite("Preprocessing: region resize")
struct RegionResizeTests {
    @Test("a region of the resize equals the same crop of the full resize", arguments: [ResampleFilter.bilinear, .bicubic, .lanczos])
    func region(filter: ResampleFilter) throws {
        var state: UInt32 = 12345
        let pixels = (0..<(53 * 41 * 3)).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        let image = try #require(RGBImage(width: 53, height: 41, pixels: pixels))
        for (w, h) in [(31, 23), (80, 41), (53, 70), (120, 90)] {
            let full = PILResampler.resize(image, width: w, height: h, filter: filter)
            for (x, y, rw, rh) in [(0, 0, w, h), (3, 2, w / 2, h / 3), (w - 5, h - 4, 5, 4)] {
                let part = PILResampler.resize(image, width: w, height: h, filter: filter, region: (x, y, rw, rh))
                #expect(part == CenterCropReference.crop(full, x: x, y: y, width: rw, height: rh), "\(w)x\(h) region \(x),\(y) \(rw)x\(rh)")
            }
        }
    }
}

enum CenterCropReference {
    static func crop(_ image: RGBImage, x: Int, y: Int, width: Int, height: Int) -> RGBImage {
        var out = [UInt8]()
        for row in y..<(y + height) {
            let s = (row * image.width + x) * 3
            out += image.pixels[s..<(s + width * 3)]
        }
        return RGBImage(width: width, height: height, pixels: out)!
    }
}

@Suite("Preprocessing: batches")
struct BatchPreprocessorTests {
    @Test("a batch holds each file's tensor in order; bad files are listed, not fatal", arguments: [1, 3])
    func batch(threads: Int) throws {
        let good = NNFixtures.images.map { NNFixtures.root.appendingPathComponent($0) }
        let bad = URL(fileURLWithPath: "/nonexistent/framecut.jpg")
        let files = [good[0], bad, good[1], good[2]]
        let recipe = Preprocessing.vitB32
        let batch = BatchPreprocessor(preprocessing: recipe, threads: threads).load(files)
        #expect(batch.count == 4 && batch.height == 224 && batch.width == 224)
        #expect(batch.failures.map(\.index) == [1])
        #expect(batch.failures.first?.error.kind == "unreadable")
        let slot = 3 * 224 * 224
        for (i, url) in files.enumerated() where i != 1 {
            let expected = recipe.apply(try ImageDecoder().decode(contentsOf: url).image).values
            #expect(Array(batch.values[(i * slot)..<((i + 1) * slot)]) == expected)
        }
        #expect(batch.values[slot..<(2 * slot)].allSatisfy { $0 == 0 })
    }
}
