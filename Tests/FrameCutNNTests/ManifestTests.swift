import Foundation
import Testing
@testable import FrameCutNN

/// The full-size models expect exactly the keys and shapes of the reference `state_dict()`
/// (manifests written by scripts/reference/nn_fixtures.py from torchvision / timm / the
/// EfficientNet-Lite reference code and the real checkpoint).
enum KeyManifest {
    static func read(_ name: String) throws -> [ParameterLoader.Expected] {
        let url = URL(fileURLWithPath: NNFixtures.root.path + "/manifests/" + name + ".txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            let shape = try fields.count > 1 ? fields[1].split(separator: ",").map { field in
                try #require(Int(field), "bad dimension in manifest line '\(line)'")
            } : []
            return ParameterLoader.Expected(key: String(fields[0]), shape: shape)
        }
    }

    /// The keys and shapes a model asks for in a dry run.
    static func expected(_ build: (ParameterLoader) -> Void) -> [ParameterLoader.Expected] {
        let loader = ParameterLoader(model: "dry run", source: nil)
        build(loader)
        return loader.expected
    }

    static func compare(_ got: [ParameterLoader.Expected], _ manifest: [ParameterLoader.Expected],
                        sourceLocation: SourceLocation = #_sourceLocation) {
        let missing = Set(manifest.map(\.key)).subtracting(got.map(\.key))
        let extra = Set(got.map(\.key)).subtracting(manifest.map(\.key))
        #expect(missing.isEmpty, "model lacks \(missing.sorted().prefix(5))", sourceLocation: sourceLocation)
        #expect(extra.isEmpty, "model has extra \(extra.sorted().prefix(5))", sourceLocation: sourceLocation)
        #expect(got == manifest, "order or shapes differ", sourceLocation: sourceLocation)
    }
}

@Suite("Models: key names and shapes equal the reference state_dict()")
struct ManifestTests {
    @Test("ResNet-50: torchvision and timm")
    func resnet50() throws {
        let got = KeyManifest.expected { _ = ResNet(loader: $0) }
        KeyManifest.compare(got, try KeyManifest.read("torchvision_resnet50"))
        KeyManifest.compare(got, try KeyManifest.read("timm_resnet50"))
    }

    @Test("VGG19-BN: torchvision and timm naming")
    func vgg19BN() throws {
        KeyManifest.compare(KeyManifest.expected { _ = VGG(loader: $0) }, try KeyManifest.read("torchvision_vgg19_bn"))
        var timm = VGG.Configuration.vgg19BN
        timm.naming = .timm
        KeyManifest.compare(KeyManifest.expected { _ = VGG(configuration: timm, loader: $0) }, try KeyManifest.read("timm_vgg19_bn"))
    }

    @Test("EfficientNet-Lite0: the reference code's and the real checkpoint's keys")
    func lite0() throws {
        KeyManifest.compare(KeyManifest.expected { _ = EfficientNetLite(loader: $0) }, try KeyManifest.read("efficientnet_lite0"))
    }
}
