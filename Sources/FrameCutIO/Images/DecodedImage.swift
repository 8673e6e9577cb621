/// Something that did not stop decoding but the caller should know about.
public enum DecodeWarning: Sendable, Equatable, CustomStringConvertible {
    /// The data ended early; rows after `decodedRows` are filled as PIL fills them (black for
    /// PNG/GIF/BMP, libjpeg's grey for JPEG). `decodedRows` is nil when the decoder cannot tell.
    case truncated(decodedRows: Int?, reason: String)
    /// The decoder recovered from damaged data (e.g. libjpeg's "corrupt JPEG data" warnings).
    case recovered(reason: String)

    public var description: String {
        switch self {
        case .truncated(let rows, let reason):
            return "truncated (\(reason))" + (rows.map { ", \($0) rows decoded" } ?? "")
        case .recovered(let reason): return "recovered from damaged data (\(reason))"
        }
    }
}

/// The decoder's result: the RGB image (transparency composited onto white) and how it got there.
public struct DecodedImage: Sendable {
    public var image: RGBImage
    public let format: ImageFormat
    /// PIL's name for the stored colour mode: "RGB", "RGBA", "L", "LA", "P", "PA", "CMYK", "I;16", "1".
    public let sourceMode: String
    /// Whether transparent pixels were composited onto white.
    public let composited: Bool
    public var warnings: [DecodeWarning]

    public init(image: RGBImage, format: ImageFormat, sourceMode: String, composited: Bool, warnings: [DecodeWarning] = []) {
        self.image = image
        self.format = format
        self.sourceMode = sourceMode
        self.composited = composited
        self.warnings = warnings
    }

    /// True when a `.truncated` warning is present.
    public var isTruncated: Bool {
        warnings.contains { if case .truncated = $0 { return true } else { return false } }
    }
}

/// Format, size and mode read from a file's header without decoding pixels.
public struct ImageInfo: Sendable, Equatable, Codable {
    public let format: ImageFormat
    public let width: Int
    public let height: Int
}
