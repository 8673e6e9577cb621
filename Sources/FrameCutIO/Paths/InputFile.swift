import Foundation

/// Reads input files so that no file can make a reader hang or allocate without bound: only
/// regular files are read (a folder, FIFO, device such as `/dev/zero`, or socket is refused
/// with one line naming it), their size is known before anything is allocated, and large
/// files are memory-mapped instead of copied.
public enum InputFile {
    /// The bytes of the regular file at `url`, memory-mapped when possible.
    /// - Parameter maximumBytes: refuse larger files (``PathError/tooLarge(path:bytes:limit:)``).
    public static func data(at url: URL, maximumBytes: UInt64? = nil) throws(PathError) -> Data {
        let size = try regularFileSize(at: url.path)
        if let maximumBytes, size > maximumBytes { throw .tooLarge(path: url.path, bytes: size, limit: maximumBytes) }
        do {
            return try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw .system(path: url.path, action: "read", reason: reason(of: error))
        }
    }

    /// UTF-8 text of a regular file; a leading byte-order mark is dropped.
    public static func text(at url: URL, maximumBytes: UInt64? = nil) throws(PathError) -> String {
        var bytes = try data(at: url, maximumBytes: maximumBytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw .system(path: url.path, action: "read", reason: "not UTF-8 text")
        }
        return text
    }

    /// The size of the regular file at `path`; throws when it is missing or not a regular file.
    public static func regularFileSize(at path: String) throws(PathError) -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .system(path: path, action: "read", reason: String(cString: strerror(errno)))
        }
        let kind = FileKind.of(path)
        guard kind == .regular else { throw .notAFile(path: path, kind: kind.phrase) }
        return UInt64(info.st_size)
    }

    /// The system's reason in an error, without Foundation's dictionary dump.
    static func reason(of error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}
