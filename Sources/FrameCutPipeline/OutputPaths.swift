import Foundation
import FrameCutIO

/// The one place where the outputs of a pipeline command are checked before any work starts.
/// It adds the pipeline's own rules to FrameCutIO's ``OutputGuard`` (no output is an input,
/// two outputs are never one file, no output is a folder, FIFO or device):
/// nothing is written into an image folder, and an existing output folder is replaced only
/// when asked.
public enum OutputPaths {
    /// A path and the flag or argument that named it, for the error message.
    public struct Labelled: Sendable {
        public let url: URL
        public let flag: String
        public init(_ url: URL, _ flag: String) {
            self.url = url
            self.flag = flag
        }
    }

    /// - Parameters:
    ///   - files: output files the command will write (the store, `.npy`, names, metadata).
    ///   - inputs: input files (weights, embeddings, names) that must never be written over.
    ///   - imageFolders: folders that must receive nothing at all.
    ///   - replaceable: an output folder that may exist already only when `force` is set.
    public static func check(files: [Labelled], inputs: [Labelled] = [], imageFolders: [Labelled],
                             replaceable: Labelled? = nil, force: Bool = false) throws {
        var paths = OutputGuard()
        for input in inputs + imageFolders { paths.input(input.url.path, flag: input.flag) }
        for file in files { paths.output(file.url.path, flag: file.flag) }
        if let replaceable { paths.outputFolder(replaceable.url.path, flag: replaceable.flag, files: []) }
        try paths.check()

        let folders = imageFolders.map { ($0, canonical($0.url)) }
        for file in files + (replaceable.map { [$0] } ?? []) {
            let path = canonical(file.url)
            for (folder, root) in folders where path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
                throw PipelineError.outputInsideImages(path: file.url.path, folder: folder.url.path)
            }
        }
        if let replaceable, !force, FileManager.default.fileExists(atPath: replaceable.url.path) {
            throw PipelineError.outputExists(path: replaceable.url.path)
        }
    }

    /// The absolute, symlink-resolved path (of the nearest existing ancestor, plus the rest).
    static func canonical(_ url: URL) -> String {
        var existing = url.standardizedFileURL
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        var path = existing.resolvingSymlinksInPath().path
        for part in rest { path += (path.hasSuffix("/") ? "" : "/") + part }
        return path
    }
}
