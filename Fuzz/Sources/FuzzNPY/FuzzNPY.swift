import Foundation
import FrameCutIO
import FuzzSupport

/// libFuzzer entry: `.npy` bytes. Must decode or throw `NPYError`; the shape decides nothing
/// before it is checked against the bytes present.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Data(bytes: data, count: size)
    if let array = try? NPYFile.decode(bytes) {
        precondition(array.values.count == array.shape.reduce(1, *))
        _ = try? array.floatValues()
        _ = try? array.int32Values()
        _ = try? NPYFile.decode(NPYFile.encode(array))
    }
    return 0
}

@_cdecl("FuzzNPY_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in fuzzTestOneInput(data, size) }
}
