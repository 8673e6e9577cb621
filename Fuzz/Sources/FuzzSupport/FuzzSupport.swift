import FrameCutIO

/// The body shared by the single-format decoder targets: decode arbitrary bytes as `format`
/// (and probe them). Must never crash, hang or leak; errors are the expected outcome for most
/// inputs. A small pixel limit keeps each run fast and memory bounded (the limit itself is tested).
public func fuzzDecode(_ data: UnsafePointer<UInt8>?, _ size: Int, format: ImageFormat) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let decoder = ImageDecoder(options: DecodeOptions(maxPixels: 1 << 18))
    if let decoded = try? decoder.decode(bytes, format: format) {
        precondition(decoded.image.pixels.count == decoded.image.width * decoded.image.height * 3)
    }
    _ = try? decoder.probe(bytes)
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<Int32>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// Hands control to libFuzzer's driver. SwiftPM links an executable target's entry point as
/// `<Target>_main`, so each target calls this from there (libFuzzer's own `main` is not used).
public func runLibFuzzer(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, callback)
}

import Foundation

/// A per-process scratch file for targets whose reader takes a path (e.g. `.npz`).
public func fuzzScratchFile(_ ext: String) -> URL {
    URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("framecut-fuzz-\(getpid()).\(ext)")
}
