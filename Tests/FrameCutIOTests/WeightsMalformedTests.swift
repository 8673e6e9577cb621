import Foundation
import Testing
import FrameCutIO

@Suite("Weight files: malformed input")
struct WeightsMalformedTests {
    @Test("malformed safetensors headers give specific errors")
    func safetensorsHeaders() throws {
        let overlap = try WeightsFixtures.url("overlap.safetensors")
        #expect(throws: WeightFileError.overlappingTensors(file: overlap.path, first: "a", second: "b")) {
            try StateDict.load(contentsOf: overlap)
        }
        let outOfRange = try WeightsFixtures.url("out_of_range.safetensors")
        #expect(throws: WeightFileError.tensorOutOfRange(file: outOfRange.path, key: "b", start: 16, end: 64, available: 24)) {
            try StateDict.load(contentsOf: outOfRange)
        }
        let mismatch = try WeightsFixtures.url("count_mismatch.safetensors")
        #expect(throws: WeightFileError.inconsistentTensor(file: mismatch.path, key: "a", reason: "shape [5] of F32 needs 20 bytes, the header gives 16")) {
            try StateDict.load(contentsOf: mismatch)
        }
        let badDType = try WeightsFixtures.url("bad_dtype.safetensors")
        #expect(throws: WeightFileError.unsupportedDType(file: badDType.path, key: "a", dtype: "F8_E4M3")) {
            try StateDict.load(contentsOf: badDType)
        }
        let badJSON = try WeightsFixtures.url("bad_json.safetensors")
        let error = try #require(throws: WeightFileError.self) { try StateDict.load(contentsOf: badJSON) }
        guard case .invalidHeader(let file, let reason) = error else { Issue.record("got \(error)"); return }
        #expect(file == badJSON.path && reason.contains("JSON"))
        #expect(error.description.contains("invalid safetensors header"))
    }

    @Test("a truncated safetensors file names the byte where it ends")
    func truncatedSafetensors() throws {
        let data = try WeightsFixtures.data("basic.safetensors")
        let error = try #require(throws: WeightFileError.self) { try StateDict.decode(data.prefix(100), file: "t.safetensors") }
        guard case .truncated(file: "t.safetensors", offset: 100, _) = error else { Issue.record("got \(error)"); return }
        #expect(error.description.hasPrefix("t.safetensors is truncated at byte 100"))
        let cut = data.count - 3
        let short = try #require(throws: WeightFileError.self) { try StateDict.decode(data.prefix(cut), file: "t.safetensors") }
        guard case .tensorOutOfRange(file: "t.safetensors", _, _, _, _) = short else { Issue.record("got \(short)"); return }
    }

    @Test("a disallowed global is refused and named", arguments: ["evil_zip.pt", "evil_legacy.pt"])
    func disallowedGlobal(name: String) throws {
        let url = try WeightsFixtures.url(name)
        #expect(throws: WeightFileError.disallowedGlobal(file: url.path, name: "os.system")) { try StateDict.load(contentsOf: url) }
        #expect(WeightFileError.disallowedGlobal(file: "x.pt", name: "os.system").description
            == "x.pt: checkpoint uses a disallowed global 'os.system'; only tensors and plain containers are read")
    }

    @Test("unknown bytes and empty files")
    func unknownFormat() {
        #expect(throws: WeightFileError.unknownFormat(file: "x", leadingBytes: "bytes 68 65 6c 6c 6f")) { try StateDict.decode(Data("hello".utf8), file: "x") }
        #expect(throws: WeightFileError.unknownFormat(file: "x", leadingBytes: "nothing (the file is empty)")) { try StateDict.decode(Data(), file: "x") }
        let missing = #expect(throws: WeightFileError.self) { try StateDict.load(contentsOf: URL(fileURLWithPath: "/nonexistent/w.pt")) }
        if case .unreadable(file: "/nonexistent/w.pt", _)? = missing {} else { Issue.record("got \(String(describing: missing))") }
    }

    @Test("every prefix of every fixture gives an error, never a crash",
          arguments: ["basic.safetensors", "basic_legacy.pt", "nested_legacy.pt", "nested_zip.pt", "evil_legacy.pt"])
    func everyPrefix(name: String) throws {
        let data = try WeightsFixtures.data(name)
        var loaded = [Int]()
        for length in 0..<data.count {
            if (try? StateDict.decode(data.prefix(length), file: name)) != nil { loaded.append(length) }
        }
        #expect(loaded.isEmpty, "prefixes that loaded: \(loaded.prefix(10))")
    }

    @Test("a pickle truncated inside an opcode reports the byte where it ends")
    func truncatedLegacy() throws {
        let data = try WeightsFixtures.data("basic_legacy.pt")
        let error = try #require(throws: WeightFileError.self) { try StateDict.decode(data.prefix(300), file: "l.pt") }
        guard case .truncated(file: "l.pt", offset: 300, _) = error else { Issue.record("got \(error)"); return }
        let tail = try #require(throws: WeightFileError.self) { try StateDict.decode(data.prefix(data.count - 1), file: "l.pt") }
        guard case .truncated(file: "l.pt", offset: data.count - 1, _) = tail else { Issue.record("got \(tail)"); return }
    }

    @Test("a truncated zip is refused")
    func truncatedZip() throws {
        let data = try WeightsFixtures.data("basic_zip.pt")
        let error = try #require(throws: WeightFileError.self) { try StateDict.decode(data.prefix(data.count / 2), file: "z.pt") }
        guard case .archive(file: "z.pt", _) = error else { Issue.record("got \(error)"); return }
    }

    @Test("corrupting any single byte gives an error or a valid dict, never a crash",
          arguments: ["nested_legacy.pt", "basic.safetensors"])
    func corruptedBytes(name: String) throws {
        let data = try WeightsFixtures.data(name)
        for position in 0..<data.count {
            for flip: UInt8 in [0xFF, 0x01, 0x80] {
                var copy = data
                copy[copy.startIndex + position] ^= flip
                _ = try? StateDict.decode(copy, file: name)
            }
        }
    }

    @Test("hand-made hostile pickles are refused without crashing")
    func hostilePickles() {
        let header: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E,
                               0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E, 0x80, 0x02, 0x7D, 0x2E]
        let bodies: [[UInt8]] = [
            [0x80, 0x02] + [UInt8](repeating: 0x28, count: 70_000) + [0x2E],  // too many marks
            [0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: 100_000) + [0x2E],  // deeply nested tuples
            [0x80, 0x02, 0x68, 0x05, 0x2E],  // BINGET of nothing
            [0x80, 0x02, 0x73, 0x2E],  // SETITEM on an empty stack
            [0x80, 0x02, 0x5D, 0x5D, 0x7D, 0x2E],  // STOP with three values
            [0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0xFF],  // string longer than the file
            [0x80, 0x02, 0x8D] + [UInt8](repeating: 0xFF, count: 8),  // BINUNICODE8 of 2^64-1 bytes
            [0x80, 0x02, 0x8C, 0x02, 0xC3, 0x28, 0x2E],  // invalid UTF-8
            [0x80, 0x02, 0x63] + Array("builtins\neval\n".utf8) + [0x2E],
            [0x80, 0x02, 0x8C, 0x02] + Array("os".utf8) + [0x8C, 0x06] + Array("system".utf8) + [0x93, 0x2E],  // STACK_GLOBAL
            [0x80, 0x06, 0x2E],  // protocol 6
            [0x80, 0x02, 0x7D, 0x5D, 0x4B, 0x01, 0x73, 0x2E],  // unhashable key
            [0x80, 0x02, 0x8A, 0x08] + [UInt8](repeating: 0xFF, count: 8) + [0x2E],  // LONG1 −1 at the top level
        ]
        for body in bodies {
            let data = Data(header + body + [0x80, 0x02, 0x5D, 0x2E])
            #expect(throws: WeightFileError.self) { try StateDict.decode(data, file: "hostile.pt") }
        }
        let evalError = WeightFileError.disallowedGlobal(file: "hostile.pt", name: "builtins.eval")
        #expect(throws: evalError) { try StateDict.decode(Data(header + bodies[8]), file: "hostile.pt") }
        #expect(throws: WeightFileError.disallowedGlobal(file: "hostile.pt", name: "os.system")) {
            try StateDict.decode(Data(header + bodies[9]), file: "hostile.pt")
        }
    }
}
