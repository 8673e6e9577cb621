import Foundation

/// Everything that can go wrong reading a weight file (safetensors, PyTorch zip or legacy
/// checkpoints) or matching its tensors against what a model expects.
///
/// Each case names the file (or model) and says what is wrong, so that the message alone tells
/// a user which file to replace and why.
public enum WeightFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The bytes are neither safetensors nor a PyTorch checkpoint.
    case unknownFormat(file: String, leadingBytes: String)
    /// The file ends at byte `offset` where more data was needed for `context`.
    case truncated(file: String, offset: Int, context: String)
    /// The safetensors JSON header is invalid.
    case invalidHeader(file: String, reason: String)
    /// A tensor's bytes `start..<end` lie outside the `available` bytes that hold them.
    case tensorOutOfRange(file: String, key: String, start: Int, end: Int, available: Int)
    /// Two safetensors entries claim the same bytes.
    case overlappingTensors(file: String, first: String, second: String)
    /// A tensor's dtype, shape, strides and byte count disagree.
    case inconsistentTensor(file: String, key: String, reason: String)
    /// A dtype FrameCut does not read.
    case unsupportedDType(file: String, key: String, dtype: String)
    /// The pickle names a global outside the allow-list (nothing is ever executed).
    case disallowedGlobal(file: String, name: String)
    /// The pickle stream is invalid at byte `offset`.
    case malformedPickle(file: String, offset: Int, reason: String)
    /// The zip container could not be read.
    case archive(file: String, reason: String)
    /// A tensor refers to a storage the file does not contain.
    case missingStorage(file: String, key: String)
    /// No dictionary of tensors was found in the checkpoint.
    case noStateDict(file: String, reason: String)
    /// The checkpoint was written on a big-endian machine.
    case bigEndian(file: String)
    /// A key the caller asked for is not in the state dict.
    case missingTensor(file: String, key: String)
    /// A tensor has another shape than the caller expects.
    case shapeMismatch(file: String, key: String, expected: [Int], found: [Int])
    /// Floats were asked of a tensor that holds integers or booleans.
    case notFloatingPoint(key: String?, dtype: WeightDType)
    /// Strict loading found problems; every list is sorted by key.
    case mismatch(model: String, missing: [String], unexpected: [String], misshaped: [WeightShapeMismatch])

    /// How many keys a message lists before it only counts the rest.
    static let listedKeys = 8

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "cannot read weight file \(file): \(reason)"
        case .unknownFormat(let file, let leading):
            return "\(file) is not a weight file FrameCut reads (safetensors, PyTorch zip or legacy .pth); it starts with \(leading)"
        case .truncated(let file, let offset, let context):
            return "\(file) is truncated at byte \(offset): \(context)"
        case .invalidHeader(let file, let reason):
            return "\(file): invalid safetensors header: \(reason)"
        case .tensorOutOfRange(let file, let key, let start, let end, let available):
            return "\(file): tensor '\(key)' occupies bytes \(start)..<\(end), beyond the \(available) bytes available (file truncated or header wrong)"
        case .overlappingTensors(let file, let first, let second):
            return "\(file): tensors '\(first)' and '\(second)' overlap in the data section"
        case .inconsistentTensor(let file, let key, let reason):
            return "\(file): tensor '\(key)': \(reason)"
        case .unsupportedDType(let file, let key, let dtype):
            return "\(file): tensor '\(key)' has dtype \(dtype), which FrameCut does not read (supported: \(WeightDType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .disallowedGlobal(let file, let name):
            return "\(file): checkpoint uses a disallowed global '\(name)'; only tensors and plain containers are read"
        case .malformedPickle(let file, let offset, let reason):
            return "\(file): invalid pickle data at byte \(offset): \(reason)"
        case .archive(let file, let reason):
            return "\(file): cannot read the PyTorch zip archive: \(reason)"
        case .missingStorage(let file, let key):
            return "\(file): tensor storage '\(key)' is missing from the checkpoint"
        case .noStateDict(let file, let reason):
            return "\(file): no state dict of tensors found: \(reason)"
        case .bigEndian(let file):
            return "\(file) was written on a big-endian machine; only little-endian checkpoints are read"
        case .missingTensor(let file, let key):
            return "\(file) has no tensor '\(key)'"
        case .shapeMismatch(let file, let key, let expected, let found):
            return "\(file): tensor '\(key)' has shape \(found), expected \(expected)"
        case .notFloatingPoint(let key, let dtype):
            return "tensor \(key.map { "'\($0)' " } ?? "")holds \(dtype.rawValue) values, not floating point"
        case .mismatch(let model, let missing, let unexpected, let misshaped):
            var parts = [String]()
            if !missing.isEmpty { parts.append("\(missing.count) missing (\(Self.list(missing)))") }
            if !unexpected.isEmpty { parts.append("\(unexpected.count) unexpected (\(Self.list(unexpected)))") }
            if !misshaped.isEmpty {
                let items = misshaped.map { "\($0.key): expected \($0.expected), found \($0.found)" }
                parts.append("\(misshaped.count) mis-shaped (\(Self.list(items)))")
            }
            return "weights do not match \(model): " + parts.joined(separator: ", ")
        }
    }

    private static func list(_ items: [String]) -> String {
        guard items.count > listedKeys else { return items.joined(separator: ", ") }
        return items.prefix(listedKeys).joined(separator: ", ") + ", … and \(items.count - listedKeys) more"
    }
}
