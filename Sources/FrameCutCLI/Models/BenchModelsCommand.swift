import ArgumentParser
import Foundation
import FrameCutIO
import FrameCutNN

/// `framecut bench models`: forward-pass speed of each model against PyTorch and ONNX Runtime on this machine.
struct BenchModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Time each model's forward pass (full size, random weights) against PyTorch CPU and ONNX Runtime on the same machine.",
        discussion: """
        For each model, batch size and thread count, times FrameCut's forward pass (median of --runs \
        after 2 warm-up runs) and then, in the same run, the reference implementation with \
        scripts/reference/bench_models.py (torchvision / timm / efficientnet_lite_pytorch / Hugging Face \
        transformers / open_clip / a DINOv2 hub port on Debian's \
        python3-torch, torch.set_num_threads), and prints milliseconds per image and the ratio \
        (below 1 is faster than PyTorch). With --onnx-python, the same model (exported once by \
        scripts/reference/onnx_export.py with --python's torch, opset 13, into --onnx-models) is then \
        timed with ONNX Runtime's CPU provider (scripts/reference/bench_onnx.py run by --onnx-python: \
        intra-op threads = --threads, inter-op 1, sequential) and its ratio printed too; without it \
        that column shows "-". Run it on an otherwise idle machine.
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

    @Flag(help: "After each timing, profile --runs more passes by layer kind (time, share, GFLOP/s per core against --peak-gflops).")
    var profile = false

    @Flag(help: "Report CPU time per image (process CPU time; each reference its own) instead of wall time: for a loaded machine, meaningful at 1 thread only.")
    var cpuTime = false

    @Option(help: "FMA peak of one core in GFLOP/s, for --profile's percentages.")
    var peakGflops = 105.0

    @Option(help: "Python interpreter with PyPI onnxruntime for the ONNX Runtime column (absent: no column figures).")
    var onnxPython: String?

    @Option(help: "Folder of the exported ONNX models (NAME.onnx; missing ones are exported with --python).")
    var onnxModels = ".cache/onnx"

    @Option(help: "The ONNX export script (run with --python).")
    var onnxExportScript = "scripts/reference/onnx_export.py"

    @Option(help: "The ONNX Runtime timing script (run with --onnx-python).")
    var onnxScript = "scripts/reference/bench_onnx.py"

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
        print("model                 input  batch  threads  framecut ms/img  pytorch ms/img  ratio  onnxrt ms/img  ratio")
        for descriptor in descriptors {
            let onnxFile = onnxPython == nil ? nil : exportONNX(model: descriptor.id)
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
                        let start = DispatchTime.now().uptimeNanoseconds, cpu = LayerProfile.processCPUSeconds()
                        _ = model.embedBatch(input, context: context)
                        times.append(cpuTime ? (LayerProfile.processCPUSeconds() - cpu) * 1e3 / Double(b)
                                             : Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(b))
                    }
                    let ours = times.sorted()[times.count / 2]
                    let reference = noReference ? nil : runReference(model: descriptor.id, batch: b, threads: t)
                    let onnx = onnxFile.flatMap { runONNX(file: $0, batch: b, threads: t) }
                    let refText = reference.map { String(format: "%.1f", $0) } ?? "-"
                    let ratio = reference.map { String(format: "%.2f", ours / $0) } ?? "-"
                    let onnxText = onnx.map { String(format: "%.1f", $0) } ?? "-"
                    let onnxRatio = onnx.map { String(format: "%.2f", ours / $0) } ?? "-"
                    print(descriptor.id.padding(toLength: 21, withPad: " ", startingAt: 0) + " " +
                          "\(size)".padding(toLength: 6, withPad: " ", startingAt: 0) + " " +
                          "\(b)".padding(toLength: 6, withPad: " ", startingAt: 0) + " " +
                          "\(t)".padding(toLength: 8, withPad: " ", startingAt: 0) + " " +
                          String(format: "%.1f", ours).padding(toLength: 16, withPad: " ", startingAt: 0) + " " +
                          refText.padding(toLength: 15, withPad: " ", startingAt: 0) + " " +
                          ratio.padding(toLength: 6, withPad: " ", startingAt: 0) + " " +
                          onnxText.padding(toLength: 14, withPad: " ", startingAt: 0) + " " + onnxRatio)
                    if profile { printProfile(model: model, input: input, threads: t) }
                }
            }
        }
        print("load average after: \(DecodeBenchCommand.loadAverage())")
    }

    /// Profiles --runs forward passes by layer kind and prints one line per kind: milliseconds per
    /// image, share of the forward pass, GFLOP per image and GFLOP/s per core (and % of --peak-gflops).
    /// Batches with at least as many images as threads run whole images per thread (`embedBatch`),
    /// so each layer's time there is one core's; otherwise each layer spans all threads.
    func printProfile(model: any ImageEmbeddingModel, input: Tensor, threads: Int) {
        let b = input.batch
        let recorder = LayerProfile()
        let context = ComputeContext(threads: threads, profile: recorder)
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = LayerProfile.processCPUSeconds()
        for _ in 0..<runs { _ = model.embedBatch(input, context: context) }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpuTotal = LayerProfile.processCPUSeconds() - cpuStart
        let perImageThreads = b > 1 && b >= threads
        let concurrency = perImageThreads ? Double(threads) : 1   // layers running at once
        let coresPerLayer = perImageThreads ? 1 : Double(threads)
        let images = Double(runs * b)
        // Each layer's own thread's CPU time where the layer runs on one thread (robust on a loaded
        // machine), wall time where it spans several.
        let useCPU = coresPerLayer == 1
        let entries = recorder.snapshot.mapValues { e -> LayerProfile.Entry in
            var e = e
            if useCPU { e.seconds = e.cpuSeconds }
            return e
        }
        let layerSeconds = entries.values.reduce(0) { $0 + $1.seconds }
        let measured = useCPU ? cpuTotal : wall * concurrency
        let total = max(measured, layerSeconds)
        func line(_ name: String, _ seconds: Double, _ flops: Double, _ calls: Int) {
            let gflops = seconds > 0 ? flops / seconds / 1e9 / coresPerLayer : 0
            let work = flops > 0 ? String(format: "%7.2f %8.1f %5.0f%%", flops / images / 1e9, gflops, 100 * gflops / peakGflops)
                                 : "      -        -      -"
            print("  " + name.padding(toLength: 20, withPad: " ", startingAt: 0) +
                  String(format: " %5d %9.2f %5.1f%% ", Int((Double(calls) / images).rounded()), seconds / concurrency / images * 1000,
                         100 * seconds / total) + work)
        }
        print("  profile (\(runs) passes, \(useCPU ? "CPU" : "wall") time)  layers  ms/img  share  GFLOP/img GFLOP/s/core of-peak")
        for kind in LayerProfile.Kind.allCases {
            guard let e = entries[kind] else { continue }
            line(kind.rawValue, e.seconds, e.flops, e.calls)
        }
        line("other (pool, add...)", total - layerSeconds, 0, 0)
        let flops = entries.values.reduce(0) { $0 + $1.flops }
        line("whole forward", total, flops, 0)
    }

    /// PyTorch milliseconds per image, or nil when the reference cannot run here.
    func runReference(model: String, batch: Int, threads: Int) -> Double? {
        guard let name = Self.referenceNames[model], FileManager.default.fileExists(atPath: referenceScript) else { return nil }
        return Self.jsonLines(python, [referenceScript, "--threads", String(threads), "--batch", String(batch),
                                       "--runs", String(max(runs, 5)), "--models", name] + (cpuTime ? ["--cpu-time"] : []))
            .lazy.compactMap { $0["ms_per_image"] as? Double }.first
    }

    /// The exported ONNX file of `model` in --onnx-models, exported now with --python's torch when
    /// missing; nil (with one line on stderr) when that fails.
    func exportONNX(model: String) -> String? {
        guard let name = Self.referenceNames[model] else { return nil }
        let lines = Self.jsonLines(python, [onnxExportScript, "--out", onnxModels, "--models", name])
        guard let path = lines.lazy.compactMap({ $0["path"] as? String }).first, FileManager.default.fileExists(atPath: path) else {
            FileHandle.standardError.write(Data("bench models: could not export \(name) to ONNX with \(python) \(onnxExportScript)\n".utf8))
            return nil
        }
        return path
    }

    /// ONNX Runtime milliseconds per image for an exported file, or nil when it cannot run here.
    func runONNX(file: String, batch: Int, threads: Int) -> Double? {
        guard let onnxPython, FileManager.default.fileExists(atPath: onnxScript) else { return nil }
        return Self.jsonLines(onnxPython, [onnxScript, "--model-file", file, "--threads", String(threads),
                                           "--batch", String(batch), "--runs", String(max(runs, 5))] + (cpuTime ? ["--cpu-time"] : []))
            .lazy.compactMap { $0["ms_per_image"] as? Double }.first
    }

    /// Runs `executable arguments` and returns the JSON objects it printed one per line; empty when
    /// it cannot start or exits non-zero.
    static func jsonLines(_ executable: String, _ arguments: [String]) -> [[String: Any]] {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return [] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return [] }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
