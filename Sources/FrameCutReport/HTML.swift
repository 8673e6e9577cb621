import Foundation

/// Text helpers for the report's HTML: escaping, number formatting, relative links and the
/// page frame (one stylesheet and one small self-check script, no network).
public enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'`.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A path made of safe components, percent-encoded for `href`/`src`.
    public static func url(_ path: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }

    /// A file-name-safe form of `name` (letters, digits, `.`, `_`, `-`; anything else `_`).
    public static func fileName(_ name: String) -> String {
        let mapped = name.unicodeScalars.map { s -> Character in
            let ok = (s.value < 128) && (CharacterSet.alphanumerics.contains(s) || s == "." || s == "_" || s == "-")
            return ok ? Character(s) : "_"
        }
        let text = String(mapped)
        return text.isEmpty || text.hasPrefix(".") ? "_" + text : text
    }

    /// A number for people: up to `digits` significant digits.
    public static func number(_ x: Double, digits: Int = 4) -> String {
        guard x.isFinite else { return x.isNaN ? "n/a" : (x > 0 ? "inf" : "-inf") }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.\(digits)g", x)
    }

    /// A table cell that shows `number(x)` and carries the exact value in `data-value`.
    public static func valueCell(_ x: Double, key: String, digits: Int = 4) -> String {
        "<td class=\"num\" data-key=\"\(escape(key))\" data-value=\"\(x)\">\(number(x, digits: digits))</td>"
    }

    /// Seconds as `1.23 s` or `2 min 3 s`.
    public static func seconds(_ s: Double) -> String {
        s < 120 ? String(format: "%.2f s", s) : String(format: "%d min %d s", Int(s) / 60, Int(s) % 60)
    }

    /// A complete page. `root` is the relative path from the page to the report folder ("" or "../../").
    public static func page(title: String, root: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <link rel="stylesheet" href="\(root)report.css">
        </head>
        <body>
        <nav><a href="\(root)index.html">FrameCut report</a></nav>
        <main>
        <h1>\(escape(title))</h1>
        \(body)
        </main>
        <script src="\(root)report.js"></script>
        </body>
        </html>

        """
    }

    /// The shared stylesheet.
    public static let stylesheet = """
    body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #fff; }
    nav { background: #234; padding: 0.5em 1em; } nav a { color: #fff; text-decoration: none; font-weight: bold; }
    main { padding: 0 1.5em 2em; max-width: 1200px; }
    h2 { border-bottom: 1px solid #ccc; margin-top: 1.6em; }
    table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
    th, td { border: 1px solid #ddd; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    .plots { display: flex; flex-wrap: wrap; gap: 1em; }
    figure { margin: 0.5em 0; } figcaption { font-size: 0.85em; color: #555; max-width: 480px; }
    .grid { display: flex; flex-wrap: wrap; gap: 4px; margin: 0.3em 0 1em; }
    .grid figure { margin: 0; width: 100px; font-size: 0.7em; overflow: hidden; }
    .grid img { width: 96px; height: 96px; object-fit: contain; background: #eee; display: block; }
    .cluster { border: 1px solid #ddd; padding: 0.3em 0.8em; margin: 0.5em 0; }
    .note { color: #666; font-size: 0.9em; }
    textarea.names { width: 100%; height: 6em; font-family: monospace; font-size: 0.8em; }
    svg text { font-size: 11px; fill: #333; }
    """

    /// The shared script: copy-to-clipboard buttons, and a self-check that logs a console error
    /// for a plot of zero size or an image that failed to load (the browser test reads these).
    public static let script = """
    document.querySelectorAll('button[data-copy]').forEach(function (b) {
      b.addEventListener('click', function () {
        var t = document.getElementById(b.getAttribute('data-copy'));
        if (!t) { return; }
        var text = t.value;
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(function () { b.textContent = 'Copied'; }, function () { t.select(); document.execCommand('copy'); b.textContent = 'Copied'; });
        } else { t.select(); document.execCommand('copy'); b.textContent = 'Copied'; }
      });
    });
    var preview = document.getElementById('map-preview');
    if (preview) {
      document.querySelectorAll('circle[data-thumb]').forEach(function (c) {
        c.addEventListener('mouseenter', function () {
          var t = c.querySelector('title');
          preview.innerHTML = '';
          var img = document.createElement('img');
          img.src = c.getAttribute('data-thumb');
          preview.appendChild(img);
          var cap = document.createElement('div');
          cap.textContent = t ? t.textContent : '';
          preview.appendChild(cap);
        });
      });
    }
    document.addEventListener('error', function (e) {
      if (e.target && e.target.tagName === 'IMG') { console.error('framecut-error: broken image ' + e.target.getAttribute('src')); }
    }, true);
    window.addEventListener('load', function () {
      var svgs = document.querySelectorAll('svg'), imgs = document.querySelectorAll('img'), bad = 0;
      svgs.forEach(function (s) {
        var r = s.getBoundingClientRect();
        if (!(r.width > 0 && r.height > 0)) { bad++; console.error('framecut-error: plot of zero size ' + (s.id || '')); }
      });
      imgs.forEach(function (i) {
        if (i.complete && i.naturalWidth === 0) { bad++; console.error('framecut-error: broken image ' + i.getAttribute('src')); }
      });
      console.log('framecut-check: ' + svgs.length + ' plots, ' + imgs.length + ' images, ' + bad + ' problems');
    });
    """
}
