import Foundation

/// The default decoder: detects the format from the content, dispatches to libjpeg-turbo,
/// libpng, libwebp, giflib or the Swift BMP reader, and returns RGB bytes identical to PIL's
/// `Image.open(path)` converted to RGB (transparency composited onto white). Thread-safe.
public struct ImageDecoder: ImageDecoding {
    public var options: DecodeOptions

    public init(options: DecodeOptions = DecodeOptions()) {
        self.options = options
    }

    public func decode(_ bytes: [UInt8], path: String = "<memory>") throws(ImageIOError) -> DecodedImage {
        guard !bytes.isEmpty else { throw .empty(path: path) }
        guard let format = ImageFormat.detect(bytes) else { throw .unrecognizedFormat(path: path) }
        return try decode(bytes, format: format, path: path)
    }

    /// Decodes `bytes` with the decoder of `format`, whatever the content starts with
    /// (the fuzz targets drive each decoder this way).
    public func decode(_ bytes: [UInt8], format: ImageFormat, path: String = "<memory>") throws(ImageIOError) -> DecodedImage {
        guard !bytes.isEmpty else { throw .empty(path: path) }
        let result: Result<DecodedImage, ImageIOError> = bytes.withUnsafeBytes { raw in
            do {
                switch format {
                case .jpeg: return .success(try JPEGDecoder.decode(raw, options: options))
                case .png: return .success(try PNGDecoder.decode(raw, options: options))
                case .webp: return .success(try WebPDecoder.decode(raw, options: options))
                case .gif: return .success(try GIFDecoder.decode(raw, options: options))
                case .bmp: return .success(try BMPDecoder.decode(raw, options: options))
                }
            } catch let failure as DecodeFailure {
                return .failure(failure.error(path: path, format: format))
            } catch {
                return .failure(.corrupt(path: path, format: format, reason: "\(error)"))
            }
        }
        return try result.get()
    }

    public func decode(contentsOf url: URL) throws(ImageIOError) -> DecodedImage {
        try decode(Self.readFile(url), path: url.path)
    }

    /// Format and size from the header only (no pixel decoding, nothing large allocated).
    public func probe(_ bytes: [UInt8], path: String = "<memory>") throws(ImageIOError) -> ImageInfo {
        guard !bytes.isEmpty else { throw .empty(path: path) }
        let result: Result<ImageInfo, ImageIOError> = bytes.withUnsafeBytes { raw in
            guard let format = ImageFormat.detect(raw) else { return .failure(.unrecognizedFormat(path: path)) }
            do {
                let size: (width: Int, height: Int)
                switch format {
                case .jpeg: let h = try JPEGDecoder.probe(raw); size = (h.width, h.height)
                case .png: size = try PNGDecoder.probe(raw)
                case .webp: size = try WebPDecoder.probe(raw)
                case .gif: size = try GIFDecoder.probe(raw)
                case .bmp: size = try BMPDecoder.probe(raw)
                }
                return .success(ImageInfo(format: format, width: size.width, height: size.height))
            } catch let failure as DecodeFailure {
                return .failure(failure.error(path: path, format: format))
            } catch {
                return .failure(.corrupt(path: path, format: format, reason: "\(error)"))
            }
        }
        return try result.get()
    }

    /// Reads a whole file, mapping every failure to `.unreadable` with the reason.
    public static func readFile(_ url: URL) throws(ImageIOError) -> [UInt8] {
        do {
            let size = try InputFile.regularFileSize(at: url.path)
            guard size > 0 else { return [] }
            let data = try Data(contentsOf: url, options: [.mappedIfSafe])
            return [UInt8](data)
        } catch let error as PathError {
            throw .unreadable(path: url.path, reason: error.description)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw .unreadable(path: url.path, reason: reason)
        }
    }
}
