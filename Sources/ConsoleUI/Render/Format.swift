import Foundation
import GatewayEngine

/// Number, duration and time formats used across screens.
enum Format {
    /// Requests per second, one decimal: `12.4`.
    static func rate(_ r: Double) -> String { String(format: "%.1f", r) }

    /// A fraction as a percentage, one decimal: `2.1%`.
    static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

    /// A latency: `0.42 ms`, `3.4 ms`, `84 ms`, `1.25 s`; a dash when unknown.
    static func latency(_ d: Duration?, ascii: Bool) -> String {
        guard let d else { return ascii ? "-" : "—" }
        let ms = d.milliseconds
        if ms < 1 { return String(format: "%.2f ms", ms) }
        if ms < 10 { return String(format: "%.1f ms", ms) }
        if ms < 1000 { return String(format: "%.0f ms", ms) }
        return String(format: "%.2f s", ms / 1000)
    }

    /// An uptime: `42s`, `4m 05s`, `1h 02m 03s`, `3d 04h 05m`.
    static func uptime(_ t: TimeInterval) -> String {
        let s = max(0, Int(t))
        let (d, h, m, sec) = (s / 86400, s / 3600 % 24, s / 60 % 60, s % 60)
        if d > 0 { return "\(d)d \(two(h))h \(two(m))m" }
        if h > 0 { return "\(h)h \(two(m))m \(two(sec))s" }
        if m > 0 { return "\(m)m \(two(sec))s" }
        return "\(sec)s"
    }

    /// An integer with thousands separators: `12,345`.
    static func count(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// A wall-clock time: `20:33:20`.
    static func clock(_ date: Date, _ tz: TimeZone) -> String {
        let c = components(date, tz)
        return "\(two(c.hour ?? 0)):\(two(c.minute ?? 0)):\(two(c.second ?? 0))"
    }

    /// A full timestamp with milliseconds: `2027-01-15 08:00:00.250`.
    static func timestamp(_ date: Date, _ tz: TimeZone) -> String {
        let c = components(date, tz)
        let ms = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        let msText = String(repeating: "0", count: ms < 10 ? 2 : ms < 100 ? 1 : 0) + String(ms)
        return "\(c.year ?? 0)-\(two(c.month ?? 0))-\(two(c.day ?? 0)) \(clock(date, tz)).\(msText)"
    }

    /// A date and time to the minute: `2027-01-15 08:00`.
    static func minute(_ date: Date, _ tz: TimeZone) -> String {
        let c = components(date, tz)
        return "\(c.year ?? 0)-\(two(c.month ?? 0))-\(two(c.day ?? 0)) \(two(c.hour ?? 0)):\(two(c.minute ?? 0))"
    }

    /// How far `date` is from `now`, coarsely, in at most 10 columns below 100 days: `in 42s`, `in 52m`, `in 3h 05m`,
    /// `in 14h`, `in 2d 4h`, `5m ago`.
    static func relative(_ date: Date, now: Date) -> String {
        let delta = date.timeIntervalSince(now)
        let s = Int(abs(delta).rounded())
        let (d, h, m) = (s / 86400, s / 3600 % 24, s / 60 % 60)
        let text = s < 60 ? "\(s)s" : s < 3600 ? "\(m)m" : s < 36000 ? "\(h)h \(two(m))m" : d == 0 ? "\(h)h" : "\(d)d \(h)h"
        return delta >= 0 ? "in " + text : text + " ago"
    }

    /// A byte count: `512 B`, `4.2 KB`, `1.3 MB`.
    static func bytes(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1024 * 1024 { return String(format: "%.1f KB", Double(n) / 1024) }
        return String(format: "%.1f MB", Double(n) / 1024 / 1024)
    }

    private static func components(_ date: Date, _ tz: TimeZone) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = tz
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
