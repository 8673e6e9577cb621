/// An image file format FrameCut decodes. Detected from the file's content, never its name.
public enum ImageFormat: String, Sendable, CaseIterable, Codable, Comparable {
    case jpeg, png, webp, gif, bmp

    /// File name extensions (lower case, without the dot) that usually hold this format.
    public var fileExtensions: [String] {
        switch self {
        case .jpeg: return ["jpg", "jpeg", "jpe", "jfif"]
        case .png: return ["png"]
        case .webp: return ["webp"]
        case .gif: return ["gif"]
        case .bmp: return ["bmp", "dib"]
        }
    }

    /// Every extension of every supported format.
    public static let allFileExtensions: Set<String> = Set(allCases.flatMap(\.fileExtensions))

    /// The format whose signature starts `bytes`, or nil when none matches.
    public static func detect(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        func has(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + signature.count else { return false }
            for (i, b) in signature.enumerated() where bytes[offset + i] != b { return false }
            return true
        }
        if has([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if has([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if has(Array("RIFF".utf8)) && has(Array("WEBP".utf8), at: 8) { return .webp }
        if has(Array("GIF87a".utf8)) || has(Array("GIF89a".utf8)) { return .gif }
        if has(Array("BM".utf8)) && bytes.count >= 18 { return .bmp }
        return nil
    }

    /// The format whose signature starts `data`, or nil when none matches.
    public static func detect(_ data: [UInt8]) -> ImageFormat? {
        data.withUnsafeBytes { detect($0) }
    }

    public static func < (lhs: ImageFormat, rhs: ImageFormat) -> Bool { lhs.rawValue < rhs.rawValue }
}
