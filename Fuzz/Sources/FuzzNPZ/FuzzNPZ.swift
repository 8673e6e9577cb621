import Foundation
import FrameCutIO
import FuzzSupport

/// libFuzzer entry: `.npz` (zip) bytes, read from a temporary file with a 64 MiB budget.
/// Must read or throw; never inflate past the budget or a member's declared size.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let url = fuzzScratchFile("npz")
    guard (try? Data(bytes: data, count: size).write(to: url)) != nil else { return 0 }
    _ = try? NPZArchive(contentsOf: url, memoryLimit: 64 << 20)
    return 0
}

@_cdecl("FuzzNPZ_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in fuzzTestOneInput(data, size) }
}
