import Foundation
import FrameCutIO
import FuzzSupport

/// libFuzzer entry: weight files (safetensors, PyTorch zip, legacy pickle) from bytes. Must
/// read or throw `WeightFileError`; the restricted unpickler never runs anything.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    if let state = try? StateDict.decode(Data(bytes: data, count: size), file: "fuzz") {
        for (_, tensor) in state.entries.prefix(64) where tensor.count <= 1 << 20 {
            _ = try? tensor.floats()
        }
    }
    return 0
}

@_cdecl("FuzzWeights_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in fuzzTestOneInput(data, size) }
}
