/// The first-run screen (no APIs and no servers yet): import an API, or load the demo.
enum WelcomeView {
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        let t = ctx.theme
        let s = ctx.state
        let left = max(2, (ctx.width - 72) / 2)
        var row = y + max(1, (height - 17) / 2)
        buf.write("Welcome to Gatehouse", x: left, y: row, style: Style(bold: true))
        row += 1
        buf.put("An MCP gateway: REST APIs (OpenAPI 3, Swagger 2) served as MCP servers.", x: left, y: row, width: ctx.width - left, style: t.label)
        row += 2
        buf.put("There are no APIs and no servers yet. Start with one of these:", x: left, y: row, width: ctx.width - left)
        row += 2
        let options: [(key: String, title: String, lines: [String])] = [
            ("i", "Import an API from a file or URL", ["An OpenAPI 3.x or Swagger 2.0 document, JSON or YAML."]),
            (
                "d", "Load the demo",
                [
                    "A sample REST API served by this process on loopback, imported",
                    "and exposed as the MCP server \"demo\": a working gateway at once.",
                ]
            ),
        ]
        for (i, option) in options.enumerated() {
            let selected = s.page.selected == i
            let marker = selected ? (ctx.ascii ? ">" : "›") : " "
            buf.write(marker, x: left, y: row, style: Style(bold: true))
            buf.write("[\(option.key)]", x: left + 2, y: row, style: t.key)
            buf.write(option.title, x: left + 7, y: row, style: Style(bold: true))
            if selected { buf.restyle(x: left, y: row, width: 7 + TextWidth.columns(of: option.title)) { $0.reverse = true } }
            row += 1
            for line in option.lines {
                buf.put(line, x: left + 7, y: row, width: ctx.width - left - 7, style: t.label)
                row += 1
            }
            row += 1
        }
        if s.readOnly {
            buf.put("Read-only mode: importing and the demo are disabled.", x: left, y: row, width: ctx.width - left, style: t.warn)
            row += 1
        }
        let address = ctx.data.listenAddress.isEmpty ? "starting…" : ctx.safe(ctx.data.listenAddress)
        buf.put("The gateway is listening on \(address)", x: left, y: row, width: ctx.width - left, style: t.label)
        row += 1
        buf.put("Press ? for help, : for commands, q to quit.", x: left, y: row, width: ctx.width - left, style: t.label)
    }
}
