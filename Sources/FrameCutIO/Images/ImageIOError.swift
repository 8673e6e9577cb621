/// Why an image or an image collection could not be read. Every case names the file.
public enum ImageIOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read (permissions, a directory, vanished).
    case unreadable(path: String, reason: String)
    /// The file has zero bytes.
    case empty(path: String)
    /// The content matches no supported format (text, random bytes, an unsupported format).
    case unrecognizedFormat(path: String)
    /// The content starts like `format` but cannot be decoded.
    case corrupt(path: String, format: ImageFormat, reason: String)
    /// A valid file using a feature FrameCut does not decode (e.g. RLE bitmaps, animated WebP).
    case unsupported(path: String, format: ImageFormat, reason: String)
    /// The declared size exceeds the pixel limit (decompression bomb guard); nothing was allocated.
    case tooManyPixels(path: String, width: Int, height: Int, limit: Int)
    /// A collection root that is missing or not a folder.
    case notAFolder(path: String)
    /// The progress callback asked to stop.
    case cancelled(path: String)

    public var path: String {
        switch self {
        case .unreadable(let p, _), .empty(let p), .unrecognizedFormat(let p), .corrupt(let p, _, _),
             .unsupported(let p, _, _), .tooManyPixels(let p, _, _, _), .notAFolder(let p), .cancelled(let p):
            return p
        }
    }

    /// A short machine-friendly kind, used in reports (`framecut scan --json`).
    public var kind: String {
        switch self {
        case .unreadable: return "unreadable"
        case .empty: return "empty"
        case .unrecognizedFormat: return "unrecognized"
        case .corrupt: return "corrupt"
        case .unsupported: return "unsupported"
        case .tooManyPixels: return "too-many-pixels"
        case .notAFolder: return "not-a-folder"
        case .cancelled: return "cancelled"
        }
    }

    /// The reason without the path.
    public var reason: String {
        switch self {
        case .unreadable(_, let r): return r
        case .empty: return "zero-byte file"
        case .unrecognizedFormat: return "not a supported image format (JPEG, PNG, WebP, GIF, BMP)"
        case .corrupt(_, let f, let r): return "corrupt \(f.rawValue.uppercased()): \(r)"
        case .unsupported(_, let f, let r): return "unsupported \(f.rawValue.uppercased()): \(r)"
        case .tooManyPixels(_, let w, let h, let l):
            return "\(w)x\(h) = \(w * h) pixels exceeds the limit of \(l) (possible decompression bomb)"
        case .notAFolder: return "not a folder"
        case .cancelled: return "cancelled"
        }
    }

    public var description: String { "\(path): \(reason)" }
}

/// A decoder's failure before the path is known; `ImageDecoder` turns it into `ImageIOError`.
struct DecodeFailure: Error {
    enum Kind { case corrupt, unsupported, tooManyPixels(width: Int, height: Int, limit: Int) }
    let kind: Kind
    let reason: String

    static func corrupt(_ reason: String) -> DecodeFailure { DecodeFailure(kind: .corrupt, reason: reason) }
    static func unsupported(_ reason: String) -> DecodeFailure { DecodeFailure(kind: .unsupported, reason: reason) }

    /// Throws when `width * height` exceeds the limit, before anything is allocated.
    static func checkSize(width: Int, height: Int, limit: Int) throws(DecodeFailure) {
        guard width > 0, height > 0 else { throw .corrupt("invalid size \(width)x\(height)") }
        let (product, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || product > limit {
            throw DecodeFailure(kind: .tooManyPixels(width: width, height: height, limit: limit), reason: "")
        }
    }

    func error(path: String, format: ImageFormat) -> ImageIOError {
        switch kind {
        case .corrupt: return .corrupt(path: path, format: format, reason: reason)
        case .unsupported: return .unsupported(path: path, format: format, reason: reason)
        case .tooManyPixels(let w, let h, let l): return .tooManyPixels(path: path, width: w, height: h, limit: l)
        }
    }
}
