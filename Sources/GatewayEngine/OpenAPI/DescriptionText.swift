import Foundation

/// Descriptions written in HTML (Stripe's, Asana's) as Markdown, the way MCP clients and models read them:
/// paragraphs and line breaks as blank lines and newlines, lists as `-` items, `<code>` as backticks, links as
/// `[text](url)`, emphasis as `*`/`**`, headings as `#`; any other tag is removed and entities are decoded.
/// Text without HTML tags is returned unchanged (Markdown stays Markdown; `a < b` is not a tag).
enum DescriptionText {
    private static let tag = try! NSRegularExpression(
        pattern: #"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>"#, options: [])
    private static let known: Set<String> = [
        "p", "a", "br", "code", "ul", "ol", "li", "strong", "em", "b", "i", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
        "span", "div", "table", "tr", "td", "th", "tbody", "thead", "sup", "sub", "blockquote", "hr", "img", "tt",
        "dl", "dt", "dd", "small", "u", "s", "kbd", "var", "section", "article", "details", "summary",
    ]
    private static let href = try! NSRegularExpression(pattern: #"href\s*=\s*["']([^"']*)["']"#, options: [.caseInsensitive])

    /// Markdown for `text` when it holds HTML tags; `text` otherwise.
    static func markdown(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "<")) else { return decodeEntitiesIfNeeded(text) }
        let ns = text as NSString
        let matches = tag.matches(in: text, range: NSRange(location: 0, length: ns.length))
            .filter { known.contains(ns.substring(with: $0.range(at: 2)).lowercased()) }
        guard !matches.isEmpty else { return text }
        var out = ""
        var cursor = 0
        var links: [String] = []
        for match in matches {
            out += ns.substring(with: NSRange(location: cursor, length: match.range.location - cursor))
            cursor = match.range.location + match.range.length
            let closing = match.range(at: 1).length > 0
            let name = ns.substring(with: match.range(at: 2)).lowercased()
            let attributes = ns.substring(with: match.range(at: 3))
            switch (name, closing) {
            case ("br", _): out += "\n"
            case ("p", false), ("div", false), ("table", _), ("blockquote", false), ("section", _), ("article", _):
                out += "\n\n"
            case ("p", true), ("div", true), ("blockquote", true): out += "\n\n"
            case ("ul", _), ("ol", _), ("dl", _): out += "\n"
            case ("li", false), ("dt", false): out += "\n- "
            case ("dd", false): out += ": "
            case ("tr", true): out += "\n"
            case ("td", false), ("th", false): out += " | "
            case ("code", _), ("tt", _), ("kbd", _): out += "`"
            case ("pre", _): out += "\n```\n"
            case ("strong", _), ("b", _): out += "**"
            case ("em", _), ("i", _): out += "*"
            case ("hr", _): out += "\n\n---\n\n"
            case (let h, false) where h.count == 2 && h.hasPrefix("h"):
                out += "\n\n" + String(repeating: "#", count: Int(h.dropFirst()) ?? 2) + " "
            case (let h, true) where h.count == 2 && h.hasPrefix("h"): out += "\n\n"
            case ("a", false):
                let found = href.firstMatch(in: attributes, range: NSRange(location: 0, length: (attributes as NSString).length))
                let url = found.map { (attributes as NSString).substring(with: $0.range(at: 1)) } ?? ""
                links.append(url)
                if !url.isEmpty { out += "[" }
            case ("a", true):
                if let url = links.popLast(), !url.isEmpty { out += "](\(url))" }
            default: break
            }
        }
        out += ns.substring(from: cursor)
        out = decodeEntitiesIfNeeded(out)
        // Tidy: no spaces before newlines, at most one blank line, no blank lines at the ends.
        out = out.replacingOccurrences(of: #"[ \t]+\n"#, with: "\n", options: .regularExpression)
        out = out.replacingOccurrences(of: #"\n{3,}"#, with: "\n\n", options: .regularExpression)
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "mdash": "—", "ndash": "–",
        "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "copy": "©", "reg": "®",
    ]
    private static let entity = try! NSRegularExpression(pattern: #"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});"#)

    /// Decodes HTML character references (`&amp;`, `&#39;`, `&#x2014;`).
    static func decodeEntitiesIfNeeded(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        let ns = text as NSString
        var out = ""
        var cursor = 0
        for match in entity.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let body = ns.substring(with: match.range(at: 1))
            let replacement: String?
            if body.hasPrefix("#x") || body.hasPrefix("#X") {
                replacement = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if body.hasPrefix("#") {
                replacement = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                replacement = entities[body.lowercased()]
            }
            guard let replacement else { continue }
            out += ns.substring(with: NSRange(location: cursor, length: match.range.location - cursor)) + replacement
            cursor = match.range.location + match.range.length
        }
        return cursor == 0 ? text : out + ns.substring(from: cursor)
    }
}
