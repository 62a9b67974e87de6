/// A one-line chart of per-second counts: `▁▂▃▄▅▆▇█` (k9s), or `_.-=#` in ASCII mode.
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let asciiLevels: [Character] = ["_", ".", "-", "=", "#"]

    /// The last `width` values, scaled to the largest shown. Zero draws the lowest level; any traffic at least
    /// the second.
    static func render(_ values: [Int], width: Int, ascii: Bool) -> String {
        guard width > 0 else { return "" }
        let shown = values.suffix(width)
        let levels = ascii ? asciiLevels : blocks
        let top = max(1, shown.max() ?? 0)
        var out = String(repeating: levels[0], count: width - shown.count)
        for v in shown {
            if v <= 0 {
                out.append(levels[0])
            } else {
                let i = Int((Double(v) / Double(top) * Double(levels.count - 1)).rounded(.up))
                out.append(levels[min(levels.count - 1, max(1, i))])
            }
        }
        return out
    }
}
