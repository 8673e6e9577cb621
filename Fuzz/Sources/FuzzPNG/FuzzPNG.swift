import FrameCutIO

/// libFuzzer entry: drives the PNG decoder wrapper with arbitrary bytes, whatever they start
/// with. Must never crash, hang or leak; errors are the expected outcome for most inputs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // A small pixel limit keeps each run fast and memory bounded (the limit itself is tested).
    let decoder = ImageDecoder(options: DecodeOptions(maxPixels: 1 << 18))
    if let decoded = try? decoder.decode(bytes, format: .png) {
        precondition(decoded.image.pixels.count == decoded.image.width * decoded.image.height * 3)
    }
    _ = try? decoder.probe(bytes)
    return 0
}

// SwiftPM links an executable target's entry point as `<Target>_main`; hand control to
// libFuzzer's driver from there (libFuzzer's own `main` is then not used).
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<Int32>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("FuzzPNG_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in fuzzTestOneInput(data, size) }
}
