import Foundation

/// The one place where the outputs of a pipeline command are checked before any work starts:
/// nothing is written into the image folder, and an existing output folder is replaced only
/// when asked. (A stricter guard, e.g. outputs never equal to an input file, plugs in here.)
public enum OutputPaths {
    /// - Parameters:
    ///   - files: output files and folders the command will write (run folder, `.npy`, names, store).
    ///   - inputs: image folders (and input files) that must never be written to.
    ///   - replaceable: outputs that may exist already only when `force` is set (the run folder).
    public static func check(files: [URL], inputs: [URL], replaceable: [URL] = [], force: Bool = false) throws {
        let inputPaths = inputs.map(canonical)
        for file in files + replaceable {
            let path = canonical(file)
            for (input, url) in zip(inputPaths, inputs) where path == input || path.hasPrefix(input.hasSuffix("/") ? input : input + "/") {
                throw PipelineError.outputInsideImages(path: file.path, folder: url.path)
            }
        }
        for folder in replaceable where !force && FileManager.default.fileExists(atPath: folder.path) {
            throw PipelineError.outputExists(path: folder.path)
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
