import Foundation

/// Writes files so that readers never see a half-written output: the bytes go to a
/// temporary file in the destination's folder, which is then renamed over the destination.
///
/// - A symbolic link is written through: the file it points to is replaced (the temporary
///   file goes beside that target), the link itself stays.
/// - Only a regular file (or nothing) is ever replaced: a folder, FIFO, device or socket at
///   the destination is refused with ``PathError/notRegularFile(path:kind:)``.
/// - Every failure is one ``PathError`` line naming the path ("cannot write x: Permission denied").
public enum AtomicFile {
    /// Writes `data` to `url` atomically, creating missing parent folders.
    public static func write(_ data: Data, to url: URL) throws {
        let writer = try AtomicFileWriter(destination: url)
        try writer.write(data)
        try writer.commit()
    }

    /// Writes UTF-8 `text` to `url` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Where the bytes for `url` really go: the destination with symbolic links resolved,
    /// after checking that it is a regular file or absent.
    public static func target(of url: URL) throws -> String {
        let resolved = try ResolvedPath.resolve(url.path)
        let kind = FileKind.of(resolved)
        guard kind == .missing || kind == .regular else { throw PathError.notRegularFile(path: url.path, kind: kind.phrase) }
        return resolved
    }

    /// Creates `path` and its missing parents (`mkdir -p`), with errors naming the folder.
    public static func createFolder(_ path: String) throws {
        let kind = FileKind.of(path)
        if kind == .folder { return }
        if kind != .missing { throw PathError.notAFolder(path: path, kind: kind.phrase) }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try createFolder(parent) }
        if mkdir(path, 0o777) != 0, errno != EEXIST {
            throw PathError.system(path: path, action: "create the folder", reason: String(cString: strerror(errno)))
        }
    }
}

/// A streaming atomic write: bytes go to a temporary file beside the destination (through
/// symbolic links), ``commit()`` renames it into place; dropping the writer without
/// committing removes the temporary file. Used by ``AtomicFile`` and the large writers
/// (``NPYRowWriter``, ``TextGraphWriter``).
public final class AtomicFileWriter {
    /// The destination as given (for messages).
    public let path: String
    /// The file that is replaced on commit (symbolic links resolved).
    public let target: String
    private let temporary: String
    private var descriptor: Int32
    private var done = false

    public init(destination url: URL) throws {
        path = url.path
        target = try AtomicFile.target(of: url)
        let folder = (target as NSString).deletingLastPathComponent
        do {
            try AtomicFile.createFolder(folder.isEmpty ? "/" : folder)
        } catch let error as PathError {
            throw PathError.system(path: url.path, action: "write", reason: error.description)
        }
        let name = (target as NSString).lastPathComponent
        var attempt = 0
        while true {
            let candidate = (folder as NSString).appendingPathComponent(".\(name).\(getpid()).\(attempt).tmp")
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 {
                temporary = candidate
                descriptor = fd
                break
            }
            let code = errno
            if code == EEXIST, attempt < 100 { attempt += 1; continue }
            // Name the destination, not the temporary file: that is what the user asked for.
            throw PathError.system(path: url.path, action: "write", reason: String(cString: strerror(code)))
        }
    }

    deinit {
        if !done {
            close(descriptor)
            unlink(temporary)
        }
    }

    /// Appends `data`.
    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw fail(errno)
                }
                offset += written
            }
        }
    }

    /// Writes `data` at byte `offset` (e.g. a header completed at the end).
    public func write(_ data: Data, at offset: UInt64) throws {
        try data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let written = pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
                if written < 0 {
                    if errno == EINTR { continue }
                    throw fail(errno)
                }
                done += written
            }
        }
    }

    /// Flushes, closes and renames the temporary file onto the target.
    public func commit() throws {
        guard !done else { return }
        if fsync(descriptor) != 0, errno != EINVAL { throw fail(errno) }
        // Keep the permissions of a file that is replaced; new files get 0666 minus the umask.
        var info = stat()
        if stat(target, &info) == 0 { fchmod(descriptor, info.st_mode & 0o7777) }
        if close(descriptor) != 0 { let code = errno; descriptor = -1; throw fail(code) }
        descriptor = -1
        // Recheck just before the rename: something may have appeared meanwhile.
        let kind = FileKind.of(target, followLinks: false)
        guard kind == .missing || kind == .regular else {
            unlink(temporary); done = true
            throw PathError.notRegularFile(path: path, kind: kind.phrase)
        }
        if rename(temporary, target) != 0 { let code = errno; throw fail(code) }
        done = true
    }

    private func fail(_ code: Int32) -> PathError {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        unlink(temporary)
        done = true
        return PathError.system(path: path, action: "write", reason: String(cString: strerror(code)))
    }
}
