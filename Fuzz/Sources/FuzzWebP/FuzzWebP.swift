import FrameCutIO
import FuzzSupport

/// libFuzzer entry: drives the WebP decoder wrapper with arbitrary bytes, whatever they start with.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzDecode(data, size, format: .webp)
}

@_cdecl("FuzzWebP_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in fuzzTestOneInput(data, size) }
}
