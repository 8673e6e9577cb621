import Foundation

/// A path made absolute with every symbolic link resolved, like `realpath`, but also for
/// paths that do not exist yet: the existing part is resolved, the rest appended as written.
/// Two paths that name one file resolve to the same string (or, for existing files, to the
/// same device and inode: see ``OutputGuard``).
public enum ResolvedPath {
    /// Links followed before giving up (Linux's own limit is 40).
    static let maximumLinks = 40

    /// The resolved absolute form of `path` (relative paths start at the working folder).
    public static func resolve(_ path: String) throws -> String {
        var pending: [Substring] = []
        if path.hasPrefix("/") {
            pending = path.split(separator: "/")
        } else {
            pending = (FileManager.default.currentDirectoryPath + "/" + path).split(separator: "/")
        }
        pending.reverse()  // a stack: the next component is last
        var resolved: [String] = []
        var links = 0
        while let component = pending.popLast() {
            if component == "." || component.isEmpty { continue }
            if component == ".." { if !resolved.isEmpty { resolved.removeLast() }; continue }
            let candidate = "/" + (resolved + [String(component)]).joined(separator: "/")
            if FileKind.of(candidate, followLinks: false) == .symlink {
                links += 1
                guard links <= maximumLinks else { throw PathError.symlinkLoop(path: path) }
                guard let target = readLink(candidate) else {
                    throw PathError.system(path: candidate, action: "read the link", reason: String(cString: strerror(errno)))
                }
                if target.hasPrefix("/") { resolved.removeAll() }
                pending.append(contentsOf: target.split(separator: "/").reversed())
            } else {
                resolved.append(String(component))
            }
        }
        return "/" + resolved.joined(separator: "/")
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
