import Foundation
import FrameCutCore
import FrameCutIO

/// Small JPEG thumbnails of the run's images, written into the report folder in parallel:
/// decoded with FrameCut's `ImageDecoder`, reduced by area averaging to fit a square box,
/// encoded with libjpeg-turbo. The same inputs give byte-identical files.
public struct Thumbnailer: Sendable {
    /// The longest side of a thumbnail in pixels.
    public var size: Int
    public var quality: Int
    public var threads: Int

    public init(size: Int = 96, quality: Int = 80, threads: Int = ParallelWork.processorCount) {
        self.size = size
        self.quality = quality
        self.threads = threads
    }

    /// Writes `thumbs/<file>` for every `(source, file)` job; returns the indices that failed
    /// (undecodable or missing sources), which the pages show as a name without an image.
    public func write(_ jobs: [(source: URL, file: String)], into folder: URL) throws -> Set<Int> {
        guard size >= 8, size <= 1024 else { throw ReportError.invalidOption(name: "--thumbnail-size", reason: "must lie in 8...1024, got \(size)") }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let box = size, quality = quality
        let outcomes = ParallelWork.map(count: jobs.count, threads: threads) { i -> Bool in
            let job = jobs[i]
            guard let decoded = try? ImageDecoder().decode(contentsOf: job.source) else { return false }
            let small = Self.reduce(decoded.image, box: box)
            guard let bytes = try? JPEGEncoder.encode(small, quality: quality) else { return false }
            return (try? Data(bytes).write(to: folder.appendingPathComponent(job.file))) != nil
        }
        var failed = Set<Int>()
        for (i, ok) in outcomes.enumerated() where ok != true { failed.insert(i) }
        return failed
    }

    /// Area-averaging reduction to fit `box x box` (never enlarges).
    public static func reduce(_ image: RGBImage, box: Int) -> RGBImage {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else { return RGBImage(width: 1, height: 1) }
        let scale = min(1, Double(box) / Double(max(w, h)))
        let tw = max(1, Int((Double(w) * scale).rounded())), th = max(1, Int((Double(h) * scale).rounded()))
        if tw == w && th == h { return image }
        var out = [UInt8](repeating: 0, count: tw * th * 3)
        image.pixels.withUnsafeBufferPointer { src in
            for ty in 0..<th {
                let y0 = ty * h / th, y1 = max(y0 + 1, (ty + 1) * h / th)
                for tx in 0..<tw {
                    let x0 = tx * w / tw, x1 = max(x0 + 1, (tx + 1) * w / tw)
                    var r = 0, g = 0, b = 0
                    for y in y0..<y1 {
                        var p = (y * w + x0) * 3
                        for _ in x0..<x1 {
                            r += Int(src[p]); g += Int(src[p + 1]); b += Int(src[p + 2])
                            p += 3
                        }
                    }
                    let n = (y1 - y0) * (x1 - x0)
                    let o = (ty * tw + tx) * 3
                    out[o] = UInt8((r + n / 2) / n); out[o + 1] = UInt8((g + n / 2) / n); out[o + 2] = UInt8((b + n / 2) / n)
                }
            }
        }
        return RGBImage(width: tw, height: th, pixels: out) ?? RGBImage(width: 1, height: 1)
    }
}
