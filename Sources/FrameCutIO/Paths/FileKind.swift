import Foundation

/// What is at a path, seen through symbolic links (`stat`), or `lstat` when asked.
public enum FileKind: Sendable, Equatable {
    case missing
    case regular
    case folder
    case symlink
    case fifo
    case characterDevice
    case blockDevice
    case socket
    case other

    /// The kind at `path`. With `followLinks` false a symbolic link reports `.symlink`.
    public static func of(_ path: String, followLinks: Bool = true) -> FileKind {
        var info = stat()
        let result = followLinks ? stat(path, &info) : lstat(path, &info)
        guard result == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .folder
        case S_IFLNK: return .symlink
        case S_IFIFO: return .fifo
        case S_IFCHR: return .characterDevice
        case S_IFBLK: return .blockDevice
        case S_IFSOCK: return .socket
        default: return .other
        }
    }

    /// Words for messages: "a folder", "a FIFO (named pipe)", ...
    public var phrase: String {
        switch self {
        case .missing: return "missing"
        case .regular: return "a regular file"
        case .folder: return "a folder"
        case .symlink: return "a symbolic link"
        case .fifo: return "a FIFO (named pipe)"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .socket: return "a socket"
        case .other: return "a special file"
        }
    }
}
