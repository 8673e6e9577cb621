import Foundation

/// Reads the PyTorch serialization used before 1.6 (and by
/// `torch.save(..., _use_new_zipfile_serialization=False)`): a sequence of pickles — the
/// magic number `0x1950a86a20f9469cfc6c`, protocol version 1001, a `sys_info` dict, the
/// object with persistent ids `('storage', StorageType, key, location, numel, view)`, the
/// list of storage keys — followed, for each key, by an 8-byte little-endian element count
/// and the storage's raw bytes.
enum TorchLegacyReader {
    /// The magic number as LONG1 pickles it (little-endian).
    static let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let protocolVersion = 1001

    /// Whether the first bytes of a file contain the legacy magic number.
    static func containsMagic(_ head: [UInt8]) -> Bool {
        guard head.count >= magic.count else { return false }
        return (0...(head.count - magic.count)).contains { Array(head[$0 ..< $0 + magic.count]) == magic }
    }

    static func read(_ data: Data, file: String) throws(WeightFileError) -> StateDict {
        let parsed: Result<(recipes: [(key: String, recipe: TorchTensorRecipe)], storages: [String: Range<Int>]), WeightFileError> =
            data.withUnsafeBytes { raw in
                Result { () throws(WeightFileError) in try parse(raw, file: file) }
            }
        let (recipes, ranges) = try parsed.get()
        var entries = [(key: String, tensor: WeightTensor)]()
        entries.reserveCapacity(recipes.count)
        for (key, recipe) in recipes {
            guard let range = ranges[recipe.storage.key] else { throw .missingStorage(file: file, key: recipe.storage.key) }
            let storage = data[data.startIndex + range.lowerBound ..< data.startIndex + range.upperBound]
            entries.append((key, try recipe.materialize(from: storage, key: key, file: file)))
        }
        return try StateDict(entries, file: file, format: .torchLegacy)
    }

    /// Reads the pickles and the storage table; returns the state dict's recipes and each
    /// storage's byte range in the file.
    private static func parse(_ raw: UnsafeRawBufferPointer, file: String) throws(WeightFileError) -> (recipes: [(key: String, recipe: TorchTensorRecipe)], storages: [String: Range<Int>]) {
        var header = Unpickler(file: file, part: "the legacy header", bytes: raw)
        guard case .bigInt(let number) = try header.load(), number == magic else {
            throw .malformedPickle(file: file, offset: 0, reason: "the PyTorch magic number is wrong")
        }
        guard case .int(let version) = try header.load(), version == protocolVersion else {
            throw .malformedPickle(file: file, offset: header.position, reason: "unsupported legacy protocol version (expected \(protocolVersion))")
        }
        if case .dict(let info) = try header.load() {
            for entry in header.arena.dicts[info].entries {
                if case .string("little_endian") = entry.key, case .bool(false) = entry.value { throw .bigEndian(file: file) }
            }
        }
        var body = Unpickler(file: file, part: "the checkpoint pickle", bytes: raw, position: header.position)
        let root = try body.load()
        let recipes = try TorchCheckpoint.tensors(in: root, arena: body.arena, file: file)
        let keysValue = try body.load()
        guard case .list(let list) = keysValue else {
            throw .malformedPickle(file: file, offset: body.position, reason: "the storage key list is a \(keysValue.kind)")
        }
        var position = body.position
        var ranges = [String: Range<Int>]()
        for item in body.arena.lists[list] {
            guard case .string(let key) = item else { throw .malformedPickle(file: file, offset: position, reason: "storage key is a \(item.kind)") }
            guard let storage = body.storages[key] else { throw .missingStorage(file: file, key: key) }
            guard raw.count - position >= 8 else {
                throw .truncated(file: file, offset: raw.count, context: "the element count of storage '\(key)' is cut off")
            }
            let count = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
            position += 8
            let remaining = raw.count - position
            guard count <= UInt64(remaining / storage.dtype.byteSize) else {
                throw .truncated(file: file, offset: raw.count,
                                 context: "storage '\(key)' needs \(count) \(storage.dtype.rawValue) elements from byte \(position)")
            }
            let length = Int(count) * storage.dtype.byteSize
            ranges[key] = position ..< position + length
            position += length
        }
        return (recipes, ranges)
    }
}
