import GatewayEngine

/// Table cells for traffic figures, coloured by severity and marked with a symbol past a threshold.
enum Figures {
    static func rate(_ stats: TrafficStats?) -> TableCell {
        TableCell(stats.map { Format.rate($0.requestsPerSecond) } ?? "0.0")
    }

    static func latency(_ d: Duration?, _ ctx: RenderContext, judged: Bool = true) -> TableCell {
        let sev = judged ? Severity.latency(d) : .ok
        return TableCell(Format.latency(d, ascii: ctx.ascii) + pad(sev.mark(ascii: ctx.ascii)), sev >= .warn ? ctx.theme.severity(sev) : nil)
    }

    static func errors(_ stats: TrafficStats?, _ ctx: RenderContext) -> TableCell {
        guard let stats, stats.requests > 0 else { return TableCell(Format.percent(0) + "  ", ctx.theme.dim) }
        // Coloured by the server-side failures alone: a client's invalid arguments do not make a server look sick.
        let sev = Severity.errorRate(stats.serverErrorRate, requests: stats.requests)
        return TableCell(Format.percent(stats.errorRate) + pad(sev.mark(ascii: ctx.ascii)), sev >= .warn ? ctx.theme.severity(sev) : nil)
    }

    static func health(_ stats: TrafficStats?, enabled: Bool, _ ctx: RenderContext) -> TableCell {
        let sev = Severity.health(stats, enabled: enabled)
        return TableCell(sev.label(ascii: ctx.ascii), ctx.theme.severity(sev))
    }

    /// Keeps right-aligned figures lined up whether or not they carry a mark.
    private static func pad(_ mark: String) -> String { mark.isEmpty ? "  " : mark }
}
