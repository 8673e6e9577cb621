import Foundation

/// The tensors of a weight file in file order, found by key.
///
/// A checkpoint that nests its weights under `state_dict`, `model_state_dict`, `model` or
/// `module` is unwrapped, a `module.` prefix on every key (as `DataParallel` saves) is
/// removed, and entries that are not tensors (epoch numbers, optimizer settings) are left out.
public struct StateDict: Sendable {
    /// The tensors, in the order the file stores them.
    public let entries: [(key: String, tensor: WeightTensor)]
    /// The file the tensors came from (as given), for messages.
    public let file: String
    /// The container format of the file.
    public let format: WeightFileFormat
    private let index: [String: Int]

    /// A state dict from tensors; throws when a key occurs twice.
    public init(_ entries: [(key: String, tensor: WeightTensor)], file: String = "<memory>", format: WeightFileFormat) throws(WeightFileError) {
        var index = [String: Int](minimumCapacity: entries.count)
        for (i, entry) in entries.enumerated() {
            guard index.updateValue(i, forKey: entry.key) == nil else {
                throw .inconsistentTensor(file: file, key: entry.key, reason: "the key occurs twice")
            }
        }
        self.entries = entries
        self.file = file
        self.format = format
        self.index = index
    }

    /// The keys in file order.
    public var keys: [String] { entries.map(\.key) }

    /// The number of tensors.
    public var count: Int { entries.count }

    /// The tensor stored under `key`, if any.
    public subscript(key: String) -> WeightTensor? {
        index[key].map { entries[$0].tensor }
    }

    /// Reads a weight file, recognising safetensors, PyTorch zip and legacy PyTorch files from
    /// their bytes (the extension does not matter). Safetensors and legacy files are
    /// memory-mapped; their tensors are slices of the mapping. Only a regular file is read:
    /// a device such as `/dev/zero`, a FIFO or a folder is refused at once (no endless read).
    public static func load(contentsOf url: URL) throws(WeightFileError) -> StateDict {
        let data: Data
        do {
            data = try InputFile.data(at: url)
        } catch {
            if case .notAFile(_, let kind) = error { throw .unreadable(file: url.path, reason: "is \(kind), not a regular file") }
            throw .unreadable(file: url.path, reason: error.description)
        }
        if WeightFileFormat.detect(data) == .torchZip {
            return try TorchZipReader.read(url: url, file: url.path)
        }
        return try decode(data, file: url.path)
    }

    /// Reads a weight file from bytes already in memory; `file` names it in errors.
    public static func decode(_ data: Data, file: String = "<memory>") throws(WeightFileError) -> StateDict {
        switch WeightFileFormat.detect(data) {
        case .safetensors: return try SafetensorsReader.read(data, file: file)
        case .torchZip: return try TorchZipReader.read(data: data, file: file)
        case .torchLegacy: return try TorchLegacyReader.read(data, file: file)
        case nil:
            let leading = data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw .unknownFormat(file: file, leadingBytes: leading.isEmpty ? "nothing (the file is empty)" : "bytes \(leading)")
        }
    }
}
