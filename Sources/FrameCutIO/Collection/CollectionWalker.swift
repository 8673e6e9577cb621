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
///
/// Every entry is listed from the raw bytes of its name: a name that is not valid UTF-8 is
/// skipped with a problem that says why (shown with `\xHH` escapes), never dropped silently.
/// Names with a line break are kept (``NameList`` escapes them in names files).
public enum CollectionWalker {
    struct FolderListing {
        var names: [String] = []
        var undecodable: [[UInt8]] = []
    }

    /// The entries of a folder (without `.` and `..`), read with `readdir`.
    static func listFolder(_ path: String) -> Result<FolderListing, FolderError> {
        guard let directory = opendir(path) else { return .failure(FolderError(String(cString: strerror(errno)))) }
        defer { closedir(directory) }
        var listing = FolderListing()
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            if let name = String(validating: bytes, as: UTF8.self) {
                listing.names.append(name)
            } else {
                listing.undecodable.append(bytes)
            }
        }
        return .success(listing)
    }

    struct FolderError: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Bytes as text: valid UTF-8 runs as they are, other bytes as `\xHH`.
    static func escapeBytes(_ bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            var matched = false
            for length in stride(from: min(4, bytes.count - i), through: 1, by: -1) {
                if let s = String(validating: bytes[i..<(i + length)], as: UTF8.self) { out += s; i += length; matched = true; break }
            }
            if !matched { out += String(format: "\\x%02X", bytes[i]); i += 1 }
        }
        return out
    }

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
            switch listFolder(folder.path) {
            case .failure(let error):
                problems.append(.unreadable(path: folder.path, reason: "cannot list folder: \(error.reason)"))
                return
            case .success(let listing):
                names = listing.names
                for raw in listing.undecodable {
                    problems.append(.unreadable(path: folder.path + "/" + escapeBytes(raw),
                                                reason: "skipped: the file name is not valid UTF-8 (shown with \\xHH escapes); rename it (e.g. with convmv) to include it"))
                }
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
                } else if options.extensions.contains(url.pathExtension.lowercased()) {
                    // A FIFO, device or socket named like an image: never opened (reading could block).
                    let kind = FileKind.of(url.path)
                    problems.append(.unreadable(path: url.path, reason: "skipped: \(kind.phrase), not a regular file"))
                }
            }
        }
        walk(root, "")
        var byName: [String: [String]] = [:]
        for f in files { byName[f.fileName, default: []].append(f.relativePath) }
        return CollectionListing(root: root, files: files, duplicateNames: byName.filter { $0.value.count > 1 }, problems: problems)
    }
}
