import Foundation

/// Turns image files into RGB pixels (pipeline stage). `ImageDecoder` is the default.
public protocol ImageDecoding: Sendable {
    /// Decodes `bytes`; `path` only names the source in errors.
    func decode(_ bytes: [UInt8], path: String) throws(ImageIOError) -> DecodedImage
    /// Reads and decodes the file at `url`.
    func decode(contentsOf url: URL) throws(ImageIOError) -> DecodedImage
}
