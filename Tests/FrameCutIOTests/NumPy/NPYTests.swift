import Foundation
import Testing
import FrameCutIO

@Suite("NumPy .npy and .npz")
struct NPYTests {
    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/npy/\(name)", withExtension: nil))
    }

    struct Expected: Decodable {
        let shape: [Int]
        let dtype: String
        let values: [Double]
    }

    @Test("reads what numpy wrote", arguments: ["f32_2d", "f64_1d", "i32_1d", "f32_3d", "f32_empty", "f64_scalar"])
    func readsNumpyFiles(name: String) throws {
        let expected = try JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: Self.fixture("expected.json")))[name]
        let want = try #require(expected)
        let array = try NPYFile.read(contentsOf: Self.fixture("\(name).npy"))
        #expect(array.shape == want.shape)
        #expect(array.dataType.rawValue == want.dtype)
        #expect(array.doubleValues() == want.values)
    }

    @Test func int64KeepsEveryBit() throws {
        let array = try NPYFile.read(contentsOf: Self.fixture("i64_2d.npy"))
        #expect(array.values == .int64([1, -2, 3, 9_007_199_254_740_993]))
        #expect(throws: NPYError.integerOutOfRange(9_007_199_254_740_993)) { try array.int32Values() }
    }

    @Test("header versions 2.0 and 3.0")
    func headerVersions() throws {
        let v1 = try NPYFile.read(contentsOf: Self.fixture("f32_2d.npy"))
        for version in ["v2", "v3"] {
            let data = try Data(contentsOf: Self.fixture("f32_2d_\(version).npy"))
            #expect(data[6] == (version == "v2" ? 2 : 3))
            #expect(try NPYFile.decode(data) == v1)
        }
    }

    @Test("refuses what it cannot read, saying why")
    func refusals() throws {
        #expect(throws: NPYError.fortranOrder) { try NPYFile.read(contentsOf: Self.fixture("fortran.npy")) }
        #expect(throws: NPYError.unsupportedDataType("|O")) { try NPYFile.read(contentsOf: Self.fixture("object.npy")) }
        #expect(throws: NPYError.unsupportedDataType(">f4")) { try NPYFile.read(contentsOf: Self.fixture("bigendian.npy")) }
        #expect(throws: NPYError.unsupportedDataType("|u1")) { try NPYFile.read(contentsOf: Self.fixture("uint8.npy")) }
        #expect(throws: NPYError.truncated(expectedBytes: 48, foundBytes: 43)) { try NPYFile.read(contentsOf: Self.fixture("truncated.npy")) }
        #expect(throws: NPYError.self) { try NPYFile.decode(Data("hello world, not numpy".utf8)) }
        #expect(throws: NPYError.self) { try NPYFile.decode(Data()) }
        #expect(NPYError.fortranOrder.description.contains("Fortran"))
        #expect(NPYError.unsupportedDataType("|O").description.contains("object"))
        #expect(NPYError.unsupportedDataType(">f4").description.contains("big-endian"))
    }

    @Test("write then read gives the same array", arguments: [
        NPYValues.float32([1.5, -2, .infinity, 0]), .float64([1e-300, -0.0, 3, 4]), .int32([1, -2, 3, .max]), .int64([.min, 0, 5, 6]),
    ])
    func roundTrip(values: NPYValues) throws {
        let array = try NPYArray(shape: [2, 2], values: values)
        #expect(try NPYFile.decode(NPYFile.encode(array)) == array)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("framecut-npy-\(UUID().uuidString)/x.npy")
        try NPYFile.write(array, to: url)
        #expect(try NPYFile.read(contentsOf: url) == array)
        // The header is padded so that data starts on a 64-byte boundary.
        #expect((try Data(contentsOf: url).count - 4 * (values.dataType.byteCount)) % 64 == 0)
        #expect(throws: NPYError.self) { try NPYArray(shape: [3, 2], values: values) }
    }

    @Test("npz: stored and deflated members")
    func npzArchives() throws {
        let reference = try NPYFile.read(contentsOf: Self.fixture("f32_2d.npy"))
        for name in ["stored.npz", "deflated.npz"] {
            let archive = try NPZArchive(contentsOf: Self.fixture(name))
            #expect(try archive.array(named: "embeddings") == reference)
            #expect(try archive.array(named: "labels").int32Values() == [0, -1, 2_147_483_647, -2_147_483_648, 7])
            #expect(throws: NPYError.missingArray(name: "nope", available: ["embeddings", "labels"])) { try archive.array(named: "nope") }
        }
        #expect(throws: NPYError.self) { try NPZArchive(contentsOf: Self.fixture("f32_2d.npy")) }
    }
}
