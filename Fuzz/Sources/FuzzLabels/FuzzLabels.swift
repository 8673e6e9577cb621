import Foundation
import FrameCutIO
import FuzzSupport

/// libFuzzer entry: CSV label files and names files. Must parse or throw; names read back
/// from their escaped form unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    guard let text = String(data: Data(bytes: data, count: size), encoding: .utf8) else { return 0 }
    if let labels = try? LabelFileReader.parseCSV(text, source: "fuzz") {
        precondition(labels.names == nil || labels.names?.count == labels.labels.count)
    }
    if let names = try? NameList.parse(text, source: "fuzz") {
        precondition(Set(names).count == names.count)
        let again = try? NameList.parse(NameList.text(names), source: "fuzz")
        precondition(again == names, "names do not survive escaping")
    }
    return 0
}

@_cdecl("FuzzLabels_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in fuzzTestOneInput(data, size) }
}
