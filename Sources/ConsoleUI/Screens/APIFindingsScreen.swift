import GatewayEngine

/// What the import of an API found, as a page of its own (`w` on an API): every warning (a defect the importer read
/// in an obvious way or left out, with the operation it skipped) and note, each with where it is in the user's own
/// file.
enum APIFindingsScreen: ConsoleScreen {
    static let kind = ScreenKind.apiFindings
    static let title = "Findings"
    static let isTextPage = true

    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        let t = Theme(s)
        let safe = { SafeText.escape($0, ascii: s.asciiOnly) }
        guard let name = page.route.value(as: String.self), let api = s.api(name) else {
            return [.blank, StyledLine("  This API no longer exists. Press esc to go back.", t.warn)]
        }
        let defects = api.findings.filter { $0.kind == .defect }.count
        let notes = api.findings.count - defects
        let counts = "\(defects) warning\(defects == 1 ? "" : "s"), \(notes) note\(notes == 1 ? "" : "s")"
        var lines = [
            StyledLine([
                (" FINDINGS  ", t.sectionTitle), (safe(api.name), Style(bold: true)),
                ("  \(counts); --strict refuses a document with any warning", t.label),
            ]),
            .blank,
        ]
        if api.findings.isEmpty { lines.append(StyledLine("  None: the document imported cleanly.", t.dim)) }
        let symbol = Severity.warn.symbol(ascii: s.asciiOnly)
        for f in api.findings {
            let head = f.kind == .defect ? (symbol + " warning", t.warn) : ("  note   ", t.label)
            lines.append(StyledLine([("  " + head.0 + "  ", head.1), (safe(f.location ?? "(the whole document)"), t.accent)]))
            for text in TextFit.wrap(safe(f.message), width: max(20, s.width - 14)) { lines.append(StyledLine("             " + text)) }
        }
        return lines
    }
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { "findings" }
}

extension ScreenKind {
    public static let apiFindings = ScreenKind("apiFindings")
}

extension Route {
    /// What an API's import found.
    static func apiFindings(_ name: String) -> Route { Route(.apiFindings, name) }
}
