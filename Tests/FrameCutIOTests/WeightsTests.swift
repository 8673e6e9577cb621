import Foundation
import Testing
import FrameCutIO

/// Fixture access and reference values shared by the weight-file tests.
enum WeightsFixtures {
    static func url(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/weights/\(name)", withExtension: nil))
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: url(name))
    }

    struct Expected: Decodable {
        let dtype: String
        let shape: [Int]
        let bits: [UInt32]?
        let ints: [Int64]?
    }

    static func expected() throws -> [String: Expected] {
        try JSONDecoder().decode([String: Expected].self, from: data("expected.json"))
    }

    /// Integer values of an integer or boolean tensor, little-endian.
    static func ints(_ tensor: WeightTensor) -> [Int64] {
        tensor.bytes.withUnsafeBytes { raw in
            (0..<tensor.count).map { i -> Int64 in
                switch tensor.dtype {
                case .i64: return Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))
                case .i32: return Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
                case .i16: return Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)))
                case .i8: return Int64(Int8(bitPattern: raw[i]))
                case .u8, .bool: return Int64(raw[i])
                default: return .min
                }
            }
        }
    }

    /// The base tensors every format of `basic.*` holds.
    static let basicKeys = [
        "conv.weight", "conv.bias", "bn.num_batches_tracked", "half.w", "bf.w", "dbl.w", "ids", "i8", "u8", "mask",
        "view.t", "shared.a", "shared.b", "shared.c", "param.w",
    ]
}

@Suite("Weight files: reading")
struct WeightsTests {
    @Test("reads the same tensors from safetensors, PyTorch zip and legacy files",
          arguments: ["basic.safetensors", "basic_zip.pt", "basic_legacy.pt"])
    func readsEveryFormat(name: String) throws {
        let expected = try WeightsFixtures.expected()
        let url = try WeightsFixtures.url(name)
        let dict = try StateDict.load(contentsOf: url)
        #expect(dict.file == url.path)
        #expect(dict.format == [.safetensors, .torchZip, .torchLegacy][["basic.safetensors", "basic_zip.pt", "basic_legacy.pt"].firstIndex(of: name) ?? 0])
        #expect(Set(dict.keys) == Set(WeightsFixtures.basicKeys))
        if dict.format != .safetensors { #expect(dict.keys == WeightsFixtures.basicKeys) }  // pickles keep insertion order
        for key in WeightsFixtures.basicKeys {
            let want = try #require(expected[key])
            let tensor = try dict.tensor(key)
            #expect(tensor.dtype.rawValue == want.dtype, "\(key)")
            #expect(tensor.shape == want.shape, "\(key)")
            #expect(tensor.count == want.shape.reduce(1, *))
            #expect(tensor.bytes.count == tensor.count * tensor.dtype.byteSize)
            if let bits = want.bits {
                #expect(try dict.floats(key).map(\.bitPattern) == bits, "\(key) in \(name)")
            } else {
                #expect(WeightsFixtures.ints(tensor) == want.ints, "\(key) in \(name)")
                #expect(throws: WeightFileError.notFloatingPoint(key: key, dtype: tensor.dtype)) { try dict.floats(key) }
            }
        }
    }

    @Test("float16 special values: subnormals, infinities, NaN")
    func halfSpecialValues() throws {
        let dict = try StateDict.load(contentsOf: WeightsFixtures.url("basic.safetensors"))
        let values = try dict.floats("half.w")
        #expect(values[0] == 0 && values[0].sign == .plus)
        #expect(values[1] == 0 && values[1].sign == .minus)
        #expect(values[4] == 65504)
        #expect(values[5] == 0x1p-24)  // 6e-8 rounds to the smallest subnormal
        #expect(values[5].isNormal)  // exact in float32
        #expect(values[6] == Float(168) * 0x1p-24)  // 1e-5 as a float16 subnormal
        #expect(values[7] == .infinity && values[8] == -.infinity && values[9].isNaN)
        let bf = try dict.floats("bf.w")
        #expect(bf[3] == .infinity && bf[5] == 0 && bf[5].sign == .minus)
    }

    #if !(os(macOS) && arch(x86_64))
    @Test("float16 conversion is exact for all 65536 bit patterns")
    func halfExhaustive() throws {
        var bytes = Data()
        for bits in 0...UInt16.max { withUnsafeBytes(of: bits.littleEndian) { bytes.append(contentsOf: $0) } }
        let tensor = try WeightTensor(dtype: .f16, shape: [65536], bytes: bytes)
        let floats = try tensor.floats()
        var wrong = 0
        for bits in 0...UInt16.max {
            let reference = Float(Float16(bitPattern: bits))
            let mine = floats[Int(bits)]
            if reference.isNaN ? !(mine.isNaN && mine.sign == reference.sign) : mine.bitPattern != reference.bitPattern { wrong += 1 }
        }
        #expect(wrong == 0)
    }
    #endif

    @Test("views: transposed, offset and shared storages are gathered into row-major order")
    func views() throws {
        for name in ["basic_zip.pt", "basic_legacy.pt"] {
            let dict = try StateDict.load(contentsOf: WeightsFixtures.url(name))
            #expect(try dict.floats("view.t", shape: [5, 3]) == (0..<5).flatMap { r in (0..<3).map { c in Float(c * 5 + r) } })
            #expect(try dict.floats("shared.a") == [0, 0.5, 1, 1.5, 2, 2.5])
            #expect(try dict.floats("shared.b") == [1, 1.5, 2, 2.5, 3, 3.5])
            #expect(try dict.floats("shared.c", shape: [2, 3]) == [0.5, 1, 1.5, 3, 3.5, 4])
        }
    }

    @Test("a nested checkpoint with a DataParallel prefix", arguments: ["nested_zip.pt", "nested_legacy.pt"])
    func nested(name: String) throws {
        let expected = try WeightsFixtures.expected()
        let dict = try StateDict.load(contentsOf: WeightsFixtures.url(name))
        #expect(dict.keys == ["fc.weight", "fc.bias"])
        for key in dict.keys {
            #expect(try dict.floats(key).map(\.bitPattern) == expected[key]?.bits)
        }
    }

    @Test("the format comes from the bytes, not the extension")
    func formatFromBytes() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("framecut-weights-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: copy) }
        try WeightsFixtures.data("basic_legacy.pt").write(to: copy)
        #expect(try StateDict.load(contentsOf: copy).format == .torchLegacy)
        for name in ["basic.safetensors", "basic_zip.pt", "basic_legacy.pt"] {
            let decoded = try StateDict.decode(WeightsFixtures.data(name), file: name)
            #expect(decoded.count == WeightsFixtures.basicKeys.count)
        }
    }

    @Test("tensor and floats lookups with shapes")
    func lookups() throws {
        let url = try WeightsFixtures.url("basic.safetensors")
        let dict = try StateDict.load(contentsOf: url)
        #expect(dict["nope"] == nil)
        #expect(throws: WeightFileError.missingTensor(file: url.path, key: "nope")) { try dict.floats("nope") }
        #expect(throws: WeightFileError.shapeMismatch(file: url.path, key: "conv.bias", expected: [5], found: [4])) {
            try dict.floats("conv.bias", shape: [5])
        }
        #expect(try dict.floats("conv.bias", shape: [4]).count == 4)
        #expect(try dict.tensor("bn.num_batches_tracked").shape == [])
        #expect(throws: WeightFileError.self) { try WeightTensor(dtype: .f32, shape: [3], bytes: Data(count: 8)) }
    }
}
