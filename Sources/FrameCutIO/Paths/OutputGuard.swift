import Foundation

/// Checks, before any work starts, that a command's outputs can never destroy its inputs.
///
/// Register every input and output path (with the flag that named it), then call ``check()``.
/// All paths are resolved through symbolic links (also outputs that do not exist yet, through
/// their parent folder), and existing files are also compared by device and inode. `check()`
/// refuses, with one line naming the path and the flag:
/// - an output that is an input (also through a link or a hard link),
/// - two outputs that are one file,
/// - an output that exists and is not a regular file (a folder, FIFO, device or socket),
/// - an output folder that exists and is not a folder.
///
/// ```swift
/// var paths = OutputGuard()
/// paths.input(embeddingsPath, flag: "--embeddings")
/// paths.input(namesPath, flag: "--names")            // nil is ignored
/// paths.outputFolder(outPath, flag: "--out", files: ClusteringOutput.fileNames)
/// paths.output(graphPath, flag: "--write-graph")
/// try paths.check()
/// ```
public struct OutputGuard: Sendable {
    private struct Entry: Sendable {
        let path: String
        let flag: String
    }

    private var inputs: [Entry] = []
    private var outputs: [Entry] = []
    private var folders: [Entry] = []

    public init() {}

    /// An input file or folder (nil: not given, ignored).
    public mutating func input(_ path: String?, flag: String) {
        if let path { inputs.append(Entry(path: path, flag: flag)) }
    }

    /// Several inputs named by one flag or argument.
    public mutating func inputs(_ paths: [String], flag: String) {
        for path in paths { input(path, flag: flag) }
    }

    /// An output file (nil: not given, ignored).
    public mutating func output(_ path: String?, flag: String) {
        if let path { outputs.append(Entry(path: path, flag: flag)) }
    }

    /// An output folder and the files the command writes into it.
    public mutating func outputFolder(_ path: String?, flag: String, files: [String]) {
        guard let path else { return }
        folders.append(Entry(path: path, flag: flag))
        for file in files { outputs.append(Entry(path: (path as NSString).appendingPathComponent(file), flag: flag)) }
    }

    /// Resolves every path and throws ``PathError`` at the first conflict.
    public func check() throws {
        for folder in folders {
            let kind = FileKind.of(try ResolvedPath.resolve(folder.path))
            guard kind == .missing || kind == .folder else { throw PathError.notAFolder(path: folder.path, kind: kind.phrase) }
        }
        let resolvedInputs = try inputs.map { ($0, try Identity(path: $0.path)) }
        var seen: [(Entry, Identity)] = []
        for output in outputs {
            let identity = try Identity(path: output.path)
            if identity.kind != .missing, identity.kind != .regular {
                throw PathError.notRegularFile(path: output.path, kind: identity.kind.phrase)
            }
            if let (input, _) = resolvedInputs.first(where: { $0.1.isSameFile(as: identity) }) {
                throw PathError.outputIsInput(output: output.path, outputFlag: output.flag, input: input.path, inputFlag: input.flag)
            }
            if let (other, _) = seen.first(where: { $0.1.isSameFile(as: identity) }) {
                throw PathError.outputsCollide(first: other.path, firstFlag: other.flag, second: output.path, secondFlag: output.flag)
            }
            seen.append((output, identity))
        }
    }

    /// A path's resolved form and, when it exists, its device and inode.
    struct Identity {
        let resolved: String
        let kind: FileKind
        let device: UInt64?
        let inode: UInt64?

        init(path: String) throws {
            resolved = try ResolvedPath.resolve(path)
            kind = FileKind.of(resolved)
            var info = stat()
            if stat(resolved, &info) == 0 {
                device = UInt64(info.st_dev)
                inode = UInt64(info.st_ino)
            } else {
                device = nil
                inode = nil
            }
        }

        func isSameFile(as other: Identity) -> Bool {
            if resolved == other.resolved { return true }
            if let device, let inode, device == other.device, inode == other.inode { return true }
            return false
        }
    }
}
