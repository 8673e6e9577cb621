import Foundation

/// What to include when walking a collection folder.
public struct CollectionWalkOptions: Sendable, Equatable {
    /// Follow symbolic links to files and folders (each real folder is visited once, so link
    /// loops end). When false, symbolic links are skipped.
    public var followSymlinks: Bool
    /// Include files and folders whose name starts with ".".
    public var includeHidden: Bool
    /// File name extensions (lower case, no dot) that are taken as images.
    public var extensions: Set<String>

    public init(followSymlinks: Bool = false, includeHidden: Bool = false, extensions: Set<String> = ImageFormat.allFileExtensions) {
        self.followSymlinks = followSymlinks
        self.includeHidden = includeHidden
        self.extensions = extensions
    }
}

/// One image file of a collection, identified by its path relative to the root.
public struct CollectionFile: Sendable, Hashable, Codable {
    /// `/`-separated path below the root: the image's identity in every FrameCut output.
    public let relativePath: String
    public let url: URL

    public var fileName: String { url.lastPathComponent }
}

/// The image files below a folder, in a stable order, with what the walk noticed.
public struct CollectionListing: Sendable {
    public let root: URL
    /// Sorted by path components, each compared byte-wise (UTF-8): stable across machines and locales.
    public let files: [CollectionFile]
    /// File names that occur in more than one folder (the paper keyed images by file name,
    /// which merges these), mapped to their relative paths.
    public let duplicateNames: [String: [String]]
    /// Folders that could not be listed, and links that could not be resolved.
    public let problems: [ImageIOError]
}

/// Walks a collection folder recursively.
public enum CollectionWalker {
    public static func list(_ root: URL, options: CollectionWalkOptions = CollectionWalkOptions()) throws(ImageIOError) -> CollectionListing {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notAFolder(path: root.path)
        }
        var files: [CollectionFile] = []
        var problems: [ImageIOError] = []
        var visited: Set<String> = [root.resolvingSymlinksInPath().standardizedFileURL.path]

        func walk(_ folder: URL, _ prefix: String) {
            let names: [String]
            do {
                names = try fm.contentsOfDirectory(atPath: folder.path)
            } catch {
                problems.append(.unreadable(path: folder.path, reason: "cannot list folder: \((error as NSError).localizedDescription)"))
                return
            }
            for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                if !options.includeHidden && name.hasPrefix(".") { continue }
                let url = folder.appendingPathComponent(name)
                let relative = prefix.isEmpty ? name : prefix + "/" + name
                guard let attributes = try? fm.attributesOfItem(atPath: url.path),
                      let type = attributes[.type] as? FileAttributeType else {
                    problems.append(.unreadable(path: url.path, reason: "cannot read file attributes"))
                    continue
                }
                var target = type
                if type == .typeSymbolicLink {
                    guard options.followSymlinks else { continue }
                    let resolved = url.resolvingSymlinksInPath()
                    guard let t = (try? fm.attributesOfItem(atPath: resolved.path))?[.type] as? FileAttributeType else {
                        problems.append(.unreadable(path: url.path, reason: "dangling symbolic link"))
                        continue
                    }
                    target = t
                }
                if target == .typeDirectory {
                    let real = url.resolvingSymlinksInPath().standardizedFileURL.path
                    guard !visited.contains(real) else { continue }
                    visited.insert(real)
                    walk(url, relative)
                } else if target == .typeRegular {
                    let ext = url.pathExtension.lowercased()
                    if options.extensions.contains(ext) {
                        files.append(CollectionFile(relativePath: relative, url: url))
                    }
                }
            }
        }
        walk(root, "")
        var byName: [String: [String]] = [:]
        for f in files { byName[f.fileName, default: []].append(f.relativePath) }
        return CollectionListing(root: root, files: files, duplicateNames: byName.filter { $0.value.count > 1 }, problems: problems)
    }
}
