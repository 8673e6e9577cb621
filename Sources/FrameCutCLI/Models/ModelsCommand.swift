import ArgumentParser
import Foundation
import FrameCutNN

/// `framecut models`: what each model needs and gives.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the embedding models: weight files, key naming, input size, embedding width, where to get the weights.",
        discussion: """
        FrameCut never downloads weights: give `framecut embed` the file you already have \
        (safetensors, PyTorch .pth/.pt/.bin in the zip or the legacy format). The key names of \
        each listed source load as they are.
        """
    )

    @Flag(help: "Also print each model's expected tensor keys and shapes (the full manifest).")
    var keys = false

    func run() throws {
        for d in ModelCatalog.all {
            let p = d.preprocessing
            print("\(d.id)  \(d.title)")
            for (i, e) in d.embeddings.enumerated() {
                let label = i == 0 ? "embedding:    " : "              "
                print("  \(label) \(e.width)-d \(e.summary) (--embedding \(e.name)\(i == 0 && d.embeddings.count > 1 ? ", default" : ""))")
            }
            print("  input:         \(p.cropWidth)x\(p.cropHeight), resize shorter side \(Self.resize(p)) (\(p.filter.rawValue)), centre crop, " +
                  "mean (\(Self.list(p.mean))), std (\(Self.list(p.std)))")
            for file in d.weightFiles { print("  weights:       \(file)") }
            print("  obtain from:   \(d.obtain)")
            let expected = d.expectedParameters()
            let parameters = expected.reduce(0) { $0 + $1.shape.reduce(1, *) }
            print("  tensors:       \(expected.count) (\(String(format: "%.1f", Double(parameters) / 1e6)) M values)")
            if keys {
                for e in expected { print("    \(e.key)\t\(e.shape.map(String.init).joined(separator: ","))") }
            }
            print("")
        }
    }

    static func list(_ values: [Float]) -> String {
        values.map { String(format: "%.4f", $0) }.joined(separator: ", ")
    }

    static func resize(_ p: Preprocessing) -> String {
        switch p.resize {
        case .shorterSide(let n): return "\(n)"
        case .exact(let w, let h): return "\(w)x\(h)"
        }
    }
}
