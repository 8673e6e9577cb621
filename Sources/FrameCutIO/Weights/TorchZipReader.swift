import Foundation
import FrameCutCore
import ZIPFoundation

/// Reads `torch.save` archives (PyTorch 1.6 and later): a zip holding `<name>/data.pkl` and
/// one member `<name>/data/<key>` per storage, under any top folder name.
enum TorchZipReader {
    /// The largest `data.pkl` accepted.
    static let maxPickleBytes = 1 << 30

    static func read(url: URL, file: String) throws(WeightFileError) -> StateDict {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw .archive(file: file, reason: "\(error)")
        }
        return try read(archive, file: file)
    }

    static func read(data: Data, file: String) throws(WeightFileError) -> StateDict {
        do {
            try ZipLayout.validate(data)
        } catch {
            throw .archive(file: file, reason: error.description)
        }
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw .archive(file: file, reason: "\(error)")
        }
        return try read(archive, file: file)
    }

    private static func read(_ archive: Archive, file: String) throws(WeightFileError) -> StateDict {
        var pickleEntry: Entry?
        var byEntryPath = [String: Entry]()
        for entry in archive where entry.type == .file {
            byEntryPath[entry.path] = entry
            let parts = entry.path.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2, parts[1] == "data.pkl", pickleEntry == nil { pickleEntry = entry }
        }
        guard let pickleEntry else { throw .archive(file: file, reason: "no <name>/data.pkl member") }
        let prefix = String(pickleEntry.path.dropLast("data.pkl".count))
        if let order = byEntryPath[prefix + "byteorder"], try extract(order, from: archive, file: file, limit: 16).starts(with: Data("big".utf8)) {
            throw .bigEndian(file: file)
        }
        let pickle = try extract(pickleEntry, from: archive, file: file, limit: maxPickleBytes)
        let parsed: Result<[(key: String, recipe: TorchTensorRecipe)], WeightFileError> = pickle.withUnsafeBytes { raw in
            Result { () throws(WeightFileError) in
                var unpickler = Unpickler(file: file, part: pickleEntry.path, bytes: raw)
                let root = try unpickler.load()
                return try TorchCheckpoint.tensors(in: root, arena: unpickler.arena, file: file)
            }
        }
        var storages = [String: Data]()
        var entries = [(key: String, tensor: WeightTensor)]()
        for (key, recipe) in try parsed.get() {
            let storageKey = recipe.storage.key
            if storages[storageKey] == nil {
                guard let member = byEntryPath[prefix + "data/" + storageKey] else { throw .missingStorage(file: file, key: storageKey) }
                storages[storageKey] = try extract(member, from: archive, file: file, limit: Int(clamping: MemoryBudget.defaultLimit))
            }
            entries.append((key, try recipe.materialize(from: storages[storageKey] ?? Data(), key: key, file: file)))
        }
        return try StateDict(entries, file: file, format: .torchZip)
    }

    /// A member's bytes, CRC-checked (a flipped byte is an error, never other weights);
    /// refuses members declared larger than `limit` and stops inflating one that grows past
    /// its declared size.
    private static func extract(_ entry: Entry, from archive: Archive, file: String, limit: Int) throws(WeightFileError) -> Data {
        guard entry.uncompressedSize <= UInt64(limit) else {
            throw .archive(file: file, reason: "member \(entry.path) has \(entry.uncompressedSize) bytes, more than \(limit)")
        }
        var data = Data()
        data.reserveCapacity(Int(min(entry.uncompressedSize, 1 << 26)))  // the header's size is not trusted
        let declared = entry.uncompressedSize
        let checksum: UInt32
        do {
            checksum = try archive.extract(entry, skipCRC32: false) { chunk in
                guard UInt64(data.count) + UInt64(chunk.count) <= declared else { throw MemberTooLarge() }
                data.append(chunk)
            }
        } catch is MemberTooLarge {
            throw .archive(file: file, reason: "member \(entry.path) inflates to more than its declared \(declared) bytes")
        } catch {
            throw .archive(file: file, reason: "member \(entry.path): \(error)")
        }
        guard UInt64(data.count) == declared else {
            throw .archive(file: file, reason: "member \(entry.path) holds \(data.count) bytes, its header declares \(declared)")
        }
        guard checksum == entry.checksum else {
            throw .archive(file: file, reason: "member \(entry.path) is corrupt (CRC-32 mismatch)")
        }
        return data
    }

    private struct MemberTooLarge: Error {}
}
