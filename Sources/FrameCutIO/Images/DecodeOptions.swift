/// Limits and policies for decoding.
public struct DecodeOptions: Sendable, Equatable {
    /// PIL's limit: `Image.MAX_IMAGE_PIXELS` (89,478,485) warns and twice that raises
    /// `DecompressionBombError`; FrameCut refuses above twice the limit, like PIL's error.
    public static let pilPixelLimit = 2 * 89_478_485

    /// Largest `width * height` accepted; checked against the header before allocating.
    public var maxPixels: Int
    /// Decode truncated files as far as the data goes (PIL's `LOAD_TRUNCATED_IMAGES = True`),
    /// with a `.truncated` warning. When false, truncation is a `.corrupt` error.
    public var allowTruncated: Bool

    public init(maxPixels: Int = DecodeOptions.pilPixelLimit, allowTruncated: Bool = true) {
        self.maxPixels = maxPixels
        self.allowTruncated = allowTruncated
    }
}
