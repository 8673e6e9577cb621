import FrameCutIO
import FuzzSupport
import FrameCutNN

/// libFuzzer entry: the resampler and centre crop on arbitrary small images and sizes
/// (first 4 bytes: input width/height, output width/height; the rest: pixels).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size >= 5 else { return 0 }
    let w = Int(data[0] % 64) + 1, h = Int(data[1] % 64) + 1
    let ow = Int(data[2] % 96) + 1, oh = Int(data[3] % 96) + 1
    let filter = ResampleFilter.allCases[Int(data[4]) % ResampleFilter.allCases.count]
    var pixels = [UInt8](repeating: 0, count: w * h * 3)
    for i in 0..<pixels.count where 5 + i < size { pixels[i] = data[5 + i] }
    guard let image = RGBImage(width: w, height: h, pixels: pixels) else { return 0 }
    let out = PILResampler.resize(image, width: ow, height: oh, filter: filter)
    precondition(out.width == ow && out.height == oh)
    let recipe = Preprocessing(name: "fuzz", resize: .shorterSide(oh), filter: filter, cropWidth: ow, cropHeight: ow,
                               mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
    let tensor = recipe.apply(image)
    precondition(tensor.values.count == 3 * ow * ow)
    return 0
}

@_cdecl("FuzzPreprocess_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runLibFuzzer(argc, argv) { data, size in fuzzTestOneInput(data, size) }
}
