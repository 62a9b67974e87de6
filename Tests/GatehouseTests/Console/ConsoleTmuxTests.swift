import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// End-to-end tests of the real `gatehouse` binary in a terminal: each test starts it under its own tmux server
/// (isolated socket, 100×30, `LANG=C.UTF-8`, a temporary `--db`, `--listen 127.0.0.1:0`) and polls `capture-pane`
/// until the expected text appears (no fixed sleeps). Build first: `swift build --build-tests` also builds the
/// binary. Skipped only when tmux is not installed (`.ci/run` installs it).
///
/// Exit codes: `q` exits 0; SIGTERM and SIGINT shut down gracefully and also exit 0 (not 143).
@Suite(
    "Console under tmux", .serialized, .timeLimit(.minutes(2)),
    .enabled(if: tmuxPath != nil, "tmux is not installed; install it (apt-get install tmux) to run the console end-to-end tests"))
struct ConsoleTmuxTests {
    init() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: gatehouseBinary),
            "build the binary first: swift build --product gatehouse (\(gatehouseBinary))")
    }

    @Test("demo, a real MCP tool call, the request in the live pane and its detail, then q restores the terminal")
    func demoToolCallAndQuit() async throws {
        let console = try TmuxConsole()
        try await console.waitFor("Welcome to Gatehouse")
        #expect(try console.format("alternate_on") == "1")
        try console.send("d")
        try await console.waitFor("demo loaded")
        try console.send("3")
        try await console.waitFor("servers list shows demo") { screen in screen.contains("demo") && screen.contains("[3 Servers]") }

        let port = try await console.port()
        let url = "http://127.0.0.1:\(port)/demo/mcp"
        let initialized = try await mcpPost(
            url,
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"tmux-test","version":"1"}}}"#
        )
        #expect(initialized.status == 200)
        let session = try #require(initialized.session)
        _ = try await mcpPost(url, #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, session: session)
        let list = try await mcpPost(url, #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#, session: session)
        #expect(list.body.contains("\"listPets\""))
        let call = try await mcpPost(
            url, #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"listPets","arguments":{"limit":2}}}"#, session: session)
        #expect(call.status == 200)
        #expect(call.body.contains("Rex"))
        #expect(!call.body.contains("\"isError\":true"))

        try console.send("4")
        try await console.waitFor("the call in the requests pane") {
            $0.contains("[4 Requests]") && $0.contains("tools/call") && $0.contains("listPets")
        }
        try console.send("Home")
        try console.send("Enter")
        try await console.waitFor("the request's detail") { screen in
            screen.range(of: #"#\d+ listPets"#, options: .regularExpression) != nil && screen.contains("limit")
        }
        // The test's MCP session is still open: quitting asks first, and says how many clients it would cut off.
        try console.send("q")
        try await console.waitFor("Stop serving 1 client?")
        try console.send("y")
        #expect(try await console.waitForExit() == 0)
        #expect(try console.format("alternate_on") == "0")
        #expect(try !console.screen().contains("Gatehouse"))
    }

    @Test("SIGTERM shuts down gracefully: exit status 0 and the terminal restored")
    func sigtermExitsCleanly() async throws {
        let console = try TmuxConsole()
        try await console.waitFor("Welcome to Gatehouse")
        _ = try await console.port()
        let pid = try console.pid()
        #expect(pid > 0)
        #expect(kill(pid, SIGTERM) == 0)
        let status = try await console.waitForExit()
        #expect(status == 0, "exit status \(status); screen: \((try? console.screen()) ?? "")")
        #expect(try console.format("alternate_on") == "0")
    }

    @Test("a resize relayouts at once, including the too-small screen")
    func resizeRelayouts() async throws {
        let console = try TmuxConsole()
        try await console.waitFor("Welcome to Gatehouse")
        let widest = { (screen: String) in screen.split(separator: "\n").map(\.count).max() ?? 0 }
        #expect(widest(try console.screen()) <= 100)
        try console.tmux(["resize-window", "-t", console.session, "-x", "120", "-y", "40"])
        try await console.waitFor("a 120-column layout") { widest($0) > 100 && $0.contains("Welcome to Gatehouse") }
        try console.tmux(["resize-window", "-t", console.session, "-x", "70", "-y", "20"])
        try await console.waitFor("the too-small screen") { $0.contains("too small") && $0.contains("70") }
        try console.tmux(["resize-window", "-t", console.session, "-x", "100", "-y", "30"])
        try await console.waitFor("Welcome to Gatehouse")
        try console.send("q")
        #expect(try await console.waitForExit() == 0)
    }

    @Test("--read-only refuses a delete and keeps the server")
    func readOnlyRefusesDelete() async throws {
        let console = try TmuxConsole(arguments: ["console", "--read-only"]) { database in
            let spec = URL(fileURLWithPath: database).deletingLastPathComponent().path + "/pets.yaml"
            try readOnlySpec.write(toFile: spec, atomically: true, encoding: .utf8)
            let imported = try runProgram(
                gatehouseBinary,
                ["api", "import", "pets", "--from", spec, "--base-url", "http://127.0.0.1:9", "--allow-private-network", "--db", database])
            #expect(imported.status == 0, "\(imported.err)")
            let created = try runProgram(gatehouseBinary, ["server", "create", "keepme", "--api", "pets", "--db", database])
            #expect(created.status == 0, "\(created.err)")
        }
        try await console.waitFor("READ-ONLY")
        try console.send("3")
        let before = try await console.waitFor("keepme")
        #expect(!before.contains("read-only"))
        try console.send("D")
        try await console.waitFor("read-only")
        try console.send("y")
        try console.send("q")
        #expect(try await console.waitForExit() == 0)
        let servers = try runProgram(gatehouseBinary, ["server", "list", "--db", console.database])
        #expect(servers.out.contains("keepme"))
    }

    @Test("without a terminal the console says so and exits 1")
    func refusesWithoutTerminal() throws {
        let dir = NSTemporaryDirectory() + "gatehouse-notty-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for arguments in [["console"], []] {
            let result = try runProgram(gatehouseBinary, arguments + ["--db", dir + "/db.sqlite"])
            #expect(result.status == 1)
            #expect(result.err.contains("the console needs a terminal; use `gatehouse serve` to run headless"))
        }
    }
}

let readOnlySpec = """
    openapi: 3.0.3
    info: {title: Pets, version: "1"}
    paths:
      /pets:
        get:
          operationId: listPets
          responses:
            "200": {description: ok}
    """

/// One raw JSON-RPC exchange over Streamable HTTP.
struct MCPReply {
    var status: Int
    var session: String?
    var body: String
}

func mcpPost(_ url: String, _ body: String, session: String? = nil) async throws -> MCPReply {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    request.headers.add(name: "Accept", value: "application/json, text/event-stream")
    request.headers.add(name: "MCP-Protocol-Version", value: "2025-06-18")
    if let session { request.headers.add(name: "Mcp-Session-Id", value: session) }
    request.body = .bytes(ByteBuffer(string: body))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let bytes = try await response.body.collect(upTo: 1 << 22)
    return MCPReply(status: Int(response.status.code), session: response.headers.first(name: "mcp-session-id"), body: String(buffer: bytes))
}
