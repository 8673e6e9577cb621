import Foundation
import FrameCutIO
import FuzzSupport

/// libFuzzer entry: text graphs ('N M', then 'i j x'), as similarities and as raw costs,
/// with a 64 MiB budget. Must parse or throw `TextGraphError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Data(bytes: data, count: size)
    for kind in [TextGraphValues.normalizedSimilarity, .rawCost] {
        if let graph = try? TextGraphReader.parse(bytes, values: kind, memoryLimit: 64 << 20) {
            precondition(graph.sources.count == graph.targets.count && graph.targets.count == graph.values.count)
            precondition(graph.sources.allSatisfy { Int($0) < graph.nodeCount } && graph.values.allSatisfy(\.isFinite))
        }
    }
    return 0
}

@_cdecl("FuzzTextGraph_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in fuzzTestOneInput(data, size) }
}
