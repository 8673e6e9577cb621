import Foundation

/// Why FrameCut refuses or fails to write (or resolve) a path. Every case names the path and
/// prints as one line, e.g. `cannot write out/x.npy: Permission denied`.
public enum PathError: Error, Equatable, CustomStringConvertible {
    /// An output is one of the inputs (after following symbolic links).
    case outputIsInput(output: String, outputFlag: String, input: String, inputFlag: String)
    /// Two outputs are one file.
    case outputsCollide(first: String, firstFlag: String, second: String, secondFlag: String)
    /// An output exists and is not a regular file (a folder, FIFO, device or socket).
    case notRegularFile(path: String, kind: String)
    /// An output folder exists and is not a folder.
    case notAFolder(path: String, kind: String)
    /// The operating system refused an operation; `reason` is its message.
    case system(path: String, action: String, reason: String)
    /// An input is not a regular file (a folder, FIFO, device or socket) where a file is read.
    case notAFile(path: String, kind: String)
    /// An input is larger than what reading it may take.
    case tooLarge(path: String, bytes: UInt64, limit: UInt64)
    /// Symbolic links nest too deep or loop.
    case symlinkLoop(path: String)

    public var description: String {
        switch self {
        case .outputIsInput(let output, let outputFlag, let input, let inputFlag):
            let same = output == input ? "" : " (\(input))"
            return "\(outputFlag) \(output) is the input \(inputFlag)\(same); refusing to write over an input"
        case .outputsCollide(let first, let firstFlag, let second, let secondFlag):
            return "\(firstFlag) \(first) and \(secondFlag) \(second) are the same file; give each output its own path"
        case .notRegularFile(let path, let kind):
            return "\(path) is \(kind), not a regular file; refusing to write over it"
        case .notAFolder(let path, let kind):
            return "\(path) is \(kind), not a folder"
        case .system(let path, let action, let reason):
            return "cannot \(action) \(path): \(reason)"
        case .notAFile(let path, let kind):
            return "\(path) is \(kind), not a regular file"
        case .tooLarge(let path, let bytes, let limit):
            return "\(path) is \(bytes) bytes, more than the limit of \(limit) bytes"
        case .symlinkLoop(let path):
            return "\(path): too many levels of symbolic links"
        }
    }
}
