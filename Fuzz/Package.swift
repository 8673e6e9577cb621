// swift-tools-version:6.0
// libFuzzer targets for FrameCut's file readers (images, .npy/.npz, text graphs, labels, weights). Separate from the main package so that
// `swift build` there never needs the fuzzer runtime. See README.md for how to run them.
import PackageDescription

let targets = ["FuzzJPEG", "FuzzPNG", "FuzzWebP", "FuzzGIF", "FuzzBMP", "FuzzAnyImage", "FuzzPreprocess",
               "FuzzNPY", "FuzzNPZ", "FuzzTextGraph", "FuzzLabels", "FuzzWeights"]

let package = Package(
    name: "FrameCutFuzz",
    dependencies: [.package(name: "FrameCut", path: "..")],
    targets: [
        // The shared decode body and the libFuzzer driver hand-off.
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "FrameCutIO", package: "FrameCut")],
            path: "Sources/FuzzSupport"
        ),
    ] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "FuzzSupport",
                .product(name: "FrameCutIO", package: "FrameCut"),
                .product(name: "FrameCutNN", package: "FrameCut"),
            ],
            path: "Sources/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
