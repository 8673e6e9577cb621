import ArgumentParser
import Foundation
import FrameCutIO
import FrameCutNN

/// `framecut bench models`: forward-pass speed of each model against PyTorch on this machine.
struct BenchModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Time each model's forward pass (full size, random weights) against PyTorch CPU on the same machine.",
        discussion: """
        For each model, batch size and thread count, times FrameCut's forward pass (median of --runs \
        after 2 warm-up runs) and then, in the same run, the reference implementation with \
        scripts/reference/bench_models.py (torchvision / timm / efficientnet_lite_pytorch / Hugging Face \
        transformers / open_clip / a DINOv2 hub port on Debian's \
        python3-torch, torch.set_num_threads), and prints milliseconds per image and the ratio \
        (below 1 is faster than PyTorch). Run it on an otherwise idle machine.
        """
    )

    @Option(parsing: .upToNextOption, help: "Models (default: all). See `framecut models`.")
    var models: [String] = ModelCatalog.all.map(\.id)

    @Option(parsing: .upToNextOption, help: "Batch sizes.")
    var batch: [Int] = [1, 16]

    @Option(parsing: .upToNextOption, help: "Thread counts.")
    var threads: [Int] = [1, 2]

    @Option(help: "Timed runs per configuration (the median is reported).")
    var runs: Int = 5

    @Option(help: "Python interpreter with torch for the reference run.")
    var python = "/usr/bin/python3"

    @Option(help: "The reference script.")
    var referenceScript = "scripts/reference/bench_models.py"

    @Flag(help: "Skip the PyTorch reference run.")
    var noReference = false

    static let referenceNames = ["resnet50": "resnet50", "vgg19-bn": "vgg19_bn", "inception-resnet-v2": "inception_resnet_v2",
                                 "efficientnet-lite0": "efficientnet_lite0", "convnextv2-tiny": "convnextv2_tiny",
                                 "clip-rn50": "clip_rn50", "vit-b32": "vit_b32", "clip-vit-b32": "clip_vit_b32",
                                 "dinov2-vitb14": "dinov2_vitb14"]

    func validate() throws {
        guard (1...1000).contains(runs) else { throw ValidationError("--runs must lie in 1...1000, got \(runs)") }
        guard batch.allSatisfy({ (1...1024).contains($0) }) else { throw ValidationError("--batch values must lie in 1...1024, got \(batch)") }
        guard threads.allSatisfy({ (1...4096).contains($0) }) else { throw ValidationError("--threads values must lie in 1...4096, got \(threads)") }
    }

    func run() throws {
        guard runs >= 1, batch.allSatisfy({ $0 >= 1 }), threads.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--runs, --batch and --threads must be at least 1")
        }
        let descriptors = try models.map { id -> ModelDescriptor in
            guard let d = ModelCatalog.named(id) else { throw ValidationError("unknown model '\(id)' (see `framecut models`)") }
            return d
        }
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) processors, load average \(DecodeBenchCommand.loadAverage()) before the run")
        print("model                 input  batch  threads  framecut ms/img  pytorch ms/img  ratio")
        for descriptor in descriptors {
            let model = descriptor.synthetic()
            let size = descriptor.preprocessing.cropHeight
            for b in batch {
                var generator = SystemRandomNumberGenerator()
                let input = Tensor(shape: [b, 3, size, size],
                                   values: (0..<(b * 3 * size * size)).map { _ in Float.random(in: -2...2, using: &generator) })
                for t in threads {
                    let context = ComputeContext(threads: t)
                    for _ in 0..<2 { _ = model.embedBatch(input, context: context) }
                    var times: [Double] = []
                    for _ in 0..<runs {
                        let start = DispatchTime.now().uptimeNanoseconds
                        _ = model.embedBatch(input, context: context)
                        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(b))
                    }
                    let ours = times.sorted()[times.count / 2]
                    let reference = noReference ? nil : runReference(model: descriptor.id, batch: b, threads: t)
                    let refText = reference.map { String(format: "%.1f", $0) } ?? "-"
                    let ratio = reference.map { String(format: "%.2f", ours / $0) } ?? "-"
                    print(descriptor.id.padding(toLength: 21, withPad: " ", startingAt: 0) + " " +
                          "\(size)".padding(toLength: 6, withPad: " ", startingAt: 0) + " " +
                          "\(b)".padding(toLength: 6, withPad: " ", startingAt: 0) + " " +
                          "\(t)".padding(toLength: 8, withPad: " ", startingAt: 0) + " " +
                          String(format: "%.1f", ours).padding(toLength: 16, withPad: " ", startingAt: 0) + " " +
                          refText.padding(toLength: 15, withPad: " ", startingAt: 0) + " " + ratio)
                }
            }
        }
        print("load average after: \(DecodeBenchCommand.loadAverage())")
    }

    /// PyTorch milliseconds per image, or nil when the reference cannot run here.
    func runReference(model: String, batch: Int, threads: Int) -> Double? {
        guard let name = Self.referenceNames[model], FileManager.default.fileExists(atPath: referenceScript),
              FileManager.default.isExecutableFile(atPath: python) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [referenceScript, "--threads", String(threads), "--batch", String(batch), "--runs", String(max(runs, 5)),
                             "--models", name]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            if let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               let ms = json["ms_per_image"] as? Double {
                return ms
            }
        }
        return nil
    }
}
