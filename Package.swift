// swift-tools-version:6.0
import PackageDescription

// Dependency arrows point one way:
//   C* system libraries <- FrameCutCore <- FrameCutIO <- FrameCutNN <- FrameCutPipeline <- framecut (CLI)
// FrameCutIO's embedding store is SQLite through GRDB (on Linux GRDB links the system
// libsqlite3, Debian libsqlite3-dev).
let package = Package(
    name: "FrameCut",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "FrameCutCore", targets: ["FrameCutCore"]),
        .library(name: "FrameCutIO", targets: ["FrameCutIO"]),
        .library(name: "FrameCutNN", targets: ["FrameCutNN"]),
        .library(name: "FrameCutPipeline", targets: ["FrameCutPipeline"]),
        .library(name: "FrameCutReport", targets: ["FrameCutReport"]),
        .executable(name: "framecut", targets: ["FrameCutCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        // C libraries from Debian -dev packages.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        .systemLibrary(name: "CGIF", providers: [.apt(["libgif-dev"])]),
        // oneDNN 2.6 (no pkg-config file; the module map links `dnnl`): Conv2d's direct convolutions.
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),

        // The solver's hot loops in C, one variant per instruction set, picked at run time.
        .target(name: "CFrameCutKernels", cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),
        // The engine's packed AVX-512 matrix product (transformers, ConvNeXt), picked at run time.
        .target(name: "CFrameCutNNKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(
            name: "FrameCutCore",
            dependencies: ["CBLAS", "CFrameCutKernels"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "FrameCutIO",
            dependencies: [
                "FrameCutCore",
                "CBLAS", "CTurboJPEG", "CPNG", "CWebP", "CGIF",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "FrameCutNN",
            dependencies: ["FrameCutIO", "FrameCutCore", "CBLAS", "CDNNL", "CFrameCutNNKernels"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "FrameCutPipeline",
            dependencies: ["FrameCutNN", "FrameCutIO", "FrameCutCore"]
        ),
        .target(
            name: "FrameCutReport",
            dependencies: ["FrameCutPipeline", "FrameCutIO", "FrameCutCore"]
        ),
        .executableTarget(
            name: "FrameCutCLI",
            dependencies: [
                "FrameCutCore",
                "FrameCutIO",
                "FrameCutNN",
                "FrameCutPipeline",
                "FrameCutReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "FrameCutCoreTests", dependencies: ["FrameCutCore"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "FrameCutIOTests",
            dependencies: ["FrameCutIO", "FrameCutCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FrameCutNNTests",
            dependencies: ["FrameCutNN", "FrameCutIO", "FrameCutCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FrameCutPipelineTests",
            dependencies: ["FrameCutPipeline", "FrameCutNN", "FrameCutIO", "FrameCutCore", "FrameCutTestSupport"]
        ),
        .testTarget(
            name: "FrameCutReportTests",
            dependencies: ["FrameCutReport", "FrameCutPipeline", "FrameCutIO", "FrameCutCore", "FrameCutTestSupport"]
        ),
        .testTarget(name: "FrameCutCLITests", dependencies: ["FrameCutCLI", "FrameCutIO", "FrameCutTestSupport"], resources: [.copy("Golden")]),
        // Helpers shared by the test targets (synthetic images, folders, the test data path).
        .target(name: "FrameCutTestSupport", path: "Tests/FrameCutTestSupport"),
    ]
)
