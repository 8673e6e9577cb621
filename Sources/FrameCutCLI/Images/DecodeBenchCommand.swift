import ArgumentParser
import Foundation
import FrameCutCore
import FrameCutIO
import FrameCutNN

/// `framecut bench decode`: decode + resize + crop + normalise throughput against PIL +
/// torchvision on the same files, machine and thread count.
struct DecodeBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Benchmark image decoding and preprocessing against PIL + torchvision.",
        discussion: """
        Decodes every JPEG of --images (or of a folder of synthetic 500x375 JPEGs made on the \
        spot), resizes, centre-crops and normalises it with --recipe, and reports images per \
        second for each thread count. With a Python that has Pillow and torchvision, it runs \
        scripts/reference/bench_decode.py on the same files with the same thread count (worker \
        processes, like a DataLoader) and prints the ratio. Other load on the machine skews both \
        sides: the load average is printed with the figures.
        """
    )

    @Option(help: "Folder of JPEG images (default: synthetic 500x375 JPEGs in a temporary folder).")
    var images: String?

    @Option(help: "Number of synthetic images when --images is not given.")
    var count = 128

    @Option(help: "Comma-separated thread counts.")
    var threads = "1,2"

    @Option(help: "Preprocessing recipe (\(Preprocessing.models.map(\.name).joined(separator: ", "))).")
    var recipe = "resnet50"

    @Option(help: "Timed runs per thread count; the best is reported.")
    var `repeat` = 3

    @Option(help: "Python interpreter with Pillow and torchvision for the reference run.")
    var python = "/usr/bin/python3"

    @Option(help: "The reference script.")
    var referenceScript = "scripts/reference/bench_decode.py"

    @Flag(help: "Skip the PIL + torchvision reference run.")
    var noReference = false

    func validate() throws {
        guard (1...100_000).contains(count) else { throw ValidationError("--count must lie in 1...100000, got \(count)") }
        guard (1...1000).contains(`repeat`) else { throw ValidationError("--repeat must lie in 1...1000, got \(`repeat`)") }
        let counts = threads.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0.map { (1...4096).contains($0) } ?? false }) else {
            throw ValidationError("--threads: comma-separated counts in 1...4096, got '\(threads)'")
        }
    }

    func run() throws {
        guard let preprocessing = Preprocessing.named(recipe) else {
            throw ValidationError("unknown recipe '\(recipe)'; known: \(Preprocessing.models.map(\.name).joined(separator: ", "))")
        }
        let threadCounts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads: comma-separated counts >= 1") }
        guard `repeat` >= 1, count >= 1 else { throw ValidationError("--repeat and --count must be at least 1") }

        var temporary: URL? = nil
        let folder: URL
        if let images {
            folder = URL(fileURLWithPath: images)
        } else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("framecut-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for i in 0..<count {
                let bytes = try JPEGEncoder.encode(Self.synthetic(width: 500, height: 375, seed: UInt32(i)), quality: 85)
                try Data(bytes).write(to: dir.appendingPathComponent(String(format: "img%05d.jpg", i)))
            }
            temporary = dir
            folder = dir
        }
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }

        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { ["jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted().map { folder.appendingPathComponent($0) }
        guard !files.isEmpty else { throw ValidationError("no JPEG files in \(folder.path)") }
        // Read the files once so both sides start from a warm page cache.
        let bytes = files.compactMap { try? Data(contentsOf: $0) }
        let pixels = bytes.reduce(0) { total, data in
            total + ((try? ImageDecoder().probe([UInt8](data))).map { $0.width * $0.height } ?? 0)
        }

        print("decode + resize + centre crop + normalise (\(preprocessing.name) recipe), \(files.count) JPEGs, " +
              "\(String(format: "%.2f", Double(pixels) / Double(files.count) / 1e6)) Mpixel each, best of \(`repeat`)")
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) processors, load average \(Self.loadAverage()) before the run")
        print("threads  decode only img/s  framecut img/s  PIL+torchvision img/s  ratio")
        for t in threadCounts {
            let decodeOnly = Self.measure(files: files, preprocessing: nil, threads: t, repeats: `repeat`)
            let ours = Self.measure(files: files, preprocessing: preprocessing, threads: t, repeats: `repeat`)
            var reference: Double? = nil
            if !noReference { reference = runReference(folder: folder, threads: t) }
            let refText = reference.map { String(format: "%.1f", $0) } ?? "-"
            let ratio = reference.map { String(format: "%.2fx", ours / $0) } ?? "-"
            print("\(String(t).padding(toLength: 8, withPad: " ", startingAt: 0)) " +
                  "\(String(format: "%.1f", decodeOnly).padding(toLength: 19, withPad: " ", startingAt: 0)) " +
                  "\(String(format: "%.1f", ours).padding(toLength: 15, withPad: " ", startingAt: 0)) " +
                  "\(refText.padding(toLength: 22, withPad: " ", startingAt: 0)) \(ratio)")
        }
        print("load average after: \(Self.loadAverage())")
    }

    /// Images per second: read + decode (+ preprocess, when given) every file on `threads` threads.
    static func measure(files: [URL], preprocessing: Preprocessing?, threads: Int, repeats: Int) -> Double {
        let decoder = ImageDecoder()
        let work: @Sendable (Int) -> Float = { i in
            guard let image = try? decoder.decode(contentsOf: files[i]).image else { return 0 }
            guard let preprocessing else { return Float(image.pixels.first ?? 0) }
            return preprocessing.apply(image).values[0]
        }
        _ = ParallelWork.map(count: min(files.count, 4), threads: 1, work)  // warm up
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = ParallelWork.map(count: files.count, threads: threads, work)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Double(files.count) / best
    }

    func runReference(folder: URL, threads: Int) -> Double? {
        guard FileManager.default.fileExists(atPath: referenceScript), FileManager.default.isExecutableFile(atPath: python) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [referenceScript, folder.path, "--threads", String(threads), "--recipe", recipe, "--repeat", String(`repeat`)]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let rate = json["images_per_second"] as? Double else { return nil }
        return rate
    }

    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// A deterministic photo-like picture: smooth colour fields, edges and mild noise.
    static func synthetic(width: Int, height: Int, seed: UInt32) -> RGBImage {
        var state = seed &* 747_796_405 &+ 2_891_336_453
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let phase = Double(seed % 17)
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 1_664_525 &+ 1_013_904_223
                let noise = Double(Int(state >> 27)) - 16
                let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
                let inside = (fx - 0.4) * (fx - 0.4) + (fy - 0.5) * (fy - 0.5) < 0.05
                let r = inside ? 240 : 127 + 110 * sin(6 * fx + phase) + noise
                let g = inside ? 220 : 127 + 110 * cos(5 * fy - phase) + noise
                let b = inside ? 30 : 255 * (fx + fy) / 2 + noise
                let o = (y * width + x) * 3
                pixels[o] = UInt8(max(0, min(255, r)))
                pixels[o + 1] = UInt8(max(0, min(255, g)))
                pixels[o + 2] = UInt8(max(0, min(255, b)))
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels) ?? RGBImage(width: width, height: height)
    }
}
