import FrameCutIO
import FuzzSupport

/// libFuzzer entry: format detection plus whichever decoder the content selects, as
/// `framecut scan` and the embedding step use them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoder = ImageDecoder(options: DecodeOptions(maxPixels: 1 << 18))
    if let decoded = try? decoder.decode(bytes) {
        precondition(decoded.image.pixels.count == decoded.image.width * decoded.image.height * 3)
        precondition(decoded.format == ImageFormat.detect(bytes))
    }
    return 0
}

@_cdecl("FuzzAnyImage_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in fuzzTestOneInput(data, size) }
}
