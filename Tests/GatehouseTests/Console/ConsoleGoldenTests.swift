// Golden screen tests: render a ConsoleState into a CellBuffer at a fixed size and compare `buffer.text` with
// the snapshot in `Tests/GatehouseTests/Console/Snapshots/<name>.txt`.
//
// To re-record the snapshots after an intended UI change, run
//
//     GATEHOUSE_RECORD_SNAPSHOTS=1 swift test --filter ConsoleGoldenTests
//
// then read the changed `.txt` files (git diff) before committing them. Without the variable a missing or
// different snapshot fails the test. The fixture uses fixed dates, figures and the UTC time zone, so the
// screens do not depend on when or where the tests run.

import Foundation
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// Fixed console data for reducer and golden tests.
enum ConsoleFixture {
    static let now = Date(timeIntervalSince1970: 1_800_000_000) // 2027-01-15 08:00:00 UTC
    static let malicious = "\u{1b}[2J\u{1b}]0;pwned\u{07}evil\u{202E}txt"

    static func ms(_ v: Double) -> Duration { .microseconds(Int64(v * 1000)) }

    static func op(_ id: String, _ method: String, _ path: String, _ summary: String) -> ConsoleData.OperationRow {
        ConsoleData.OperationRow(id: id, method: method, path: path, summary: summary, toolName: id)
    }

    static let petOperations = [
        op("listPets", "get", "/pets", "List all pets"),
        op("createPet", "post", "/pets", "Create a pet"),
        op("getPetById", "get", "/pets/{petId}", "Find a pet by ID"),
        op("updatePet", "put", "/pets/{petId}", "Update a pet"),
        op("deletePet", "delete", "/pets/{petId}", "Delete a pet"),
        op("findPetsByTag", "get", "/pets/findByTags", "Find pets by tags"),
    ]

    static let apis = [
        ConsoleData.APIRow(
            name: "petstore", title: "Swagger Petstore", version: "1.0.17", format: "openapi 3.0",
            source: "https://petstore3.example.com/api/v3/openapi.json", baseURL: "https://petstore3.example.com/api/v3",
            allowPrivateNetwork: false, operations: petOperations,
            findings: [
                ImportWarning(
                    location: "openapi.json#/paths/~1pet~1findByTags/get/parameters/0/schema/type",
                    message: "type 'int' is not a JSON Schema type; read as integer", kind: .defect),
                ImportWarning(
                    location: "openapi.json#/paths/~1store~1order/post", message: "no response has a JSON schema; the tool declares no output schema",
                    kind: .note),
            ]),
        ConsoleData.APIRow(
            name: "weather", title: "Open Weather", version: "2.5", format: "swagger 2.0", source: "./specs/weather.yaml",
            baseURL: "https://api.weather.example.com", allowPrivateNetwork: false,
            operations: [op("currentWeather", "get", "/weather", "Current weather"), op("forecast", "get", "/forecast", "Five-day forecast")]),
        ConsoleData.APIRow(
            name: "billing", title: "Billing (internal)", version: "0.9.0", format: "openapi 3.1", source: "/etc/gatehouse/billing.json",
            baseURL: "http://10.0.0.12:9000", allowPrivateNetwork: true,
            operations: [op("listInvoices", "get", "/invoices", "List invoices"), op("refund", "post", "/refunds", "Refund a payment")]),
        ConsoleData.APIRow(
            name: "inventory", title: "Inventory", version: "3.2.0", format: "openapi 3.0", source: "https://inventory.example.com/openapi.yaml",
            baseURL: nil, allowPrivateNetwork: false, operations: [op("listStock", "get", "/stock", "List stock levels")]),
    ]

    static let schema = """
        {
          "type": "object",
          "properties": {
            "petId": {
              "type": "integer",
              "description": "ID of pet to return"
            }
          },
          "required": [
            "petId"
          ]
        }
        """

    static func tool(_ o: ConsoleData.OperationRow, enabled: Bool = true, description: String? = nil) -> ConsoleData.ToolRow {
        ConsoleData.ToolRow(
            name: o.toolName, description: description ?? o.summary, method: o.method, path: o.path, enabled: enabled,
            descriptionOverridden: description != nil, inputSchema: o.id == "getPetById" ? schema : #"{ "type": "object" }"#)
    }

    static func servers(description: String = "Pets for assistants") -> [ConsoleData.ServerRow] {
        let petTools = petOperations.enumerated().map { i, o in
            tool(o, enabled: i != 4, description: i == 2 ? "Look up one pet by its numeric ID" : nil)
        }
        return [
            ConsoleData.ServerRow(name: "pets", basePath: "pets", description: description, enabled: true, apiName: "petstore", tools: petTools),
            ConsoleData.ServerRow(
                name: "weather", basePath: "weather", description: "Weather lookups", enabled: true, apiName: "weather",
                tools: apis[1].operations.map { tool($0) }),
            ConsoleData.ServerRow(
                name: "billing", basePath: "internal/billing", description: "Billing tools", enabled: false, apiName: "billing",
                tools: apis[2].operations.map { tool($0) }),
            ConsoleData.ServerRow(
                name: "inventory", basePath: "inventory", description: "Stock levels", enabled: true, apiName: "inventory",
                tools: apis[3].operations.map { tool($0) }),
        ]
    }

    static let history = (0..<60).map { i in [3, 5, 8, 12, 9, 14, 18, 22, 17, 11, 7, 13][i % 12] + i / 6 }

    static let monitor = MonitorSnapshot(
        startedAt: now.addingTimeInterval(-7523), takenAt: now,
        total: TrafficStats(
            requestsPerSecond: 12.4, errorRate: 0.021, p50: ms(12), p95: ms(84), p99: ms(210), requests: 744, totalRequests: 12345, history: history,
            serverErrors: 15),
        servers: [
            "pets": TrafficStats(
                requestsPerSecond: 10.2, errorRate: 0.008, p50: ms(11), p95: ms(62), p99: ms(180), requests: 612, totalRequests: 10200,
                serverErrors: 1),
            "weather": TrafficStats(
                requestsPerSecond: 1.6, errorRate: 0.075, p50: ms(140), p95: ms(640), p99: ms(910), requests: 96, totalRequests: 1800, serverErrors: 6
            ),
            "inventory": TrafficStats(
                requestsPerSecond: 0.6, errorRate: 0.25, p50: ms(900), p95: ms(2400), p99: ms(3100), requests: 36, totalRequests: 345, serverErrors: 8
            ),
        ],
        droppedLogRecords: 0)

    static func records(count: Int = 40, newest: UInt64 = 1042) -> [RequestRecord] {
        let servers = ["pets", "pets", "weather", "pets", "inventory"]
        let tools = ["getPetById", "listPets", "currentWeather", "findPetsByTag", "listStock"]
        return (0..<count).map { i in
            let k = i % 5
            let outcome: RequestRecord.Outcome = i % 7 == 3 ? .toolError : i % 11 == 5 ? .rpcError : .ok
            let isCall = i % 9 != 8
            return RequestRecord(
                sequence: newest - UInt64(i), time: now.addingTimeInterval(-Double(i) * 0.8 - 0.25), server: servers[k],
                client: "127.0.0.1:\(50312 + k)", transport: k == 2 ? "sse" : "streamable", method: isCall ? "tools/call" : "tools/list",
                tool: isCall ? tools[k] : nil,
                arguments: i == 0
                    ? .object(["petId": .int(42), "api_key": .string("****"), "include": .array([.string("tags"), .string("owner")])]) : nil,
                outcome: outcome, status: outcome == .rpcError ? 400 : 200,
                backendStatus: isCall && outcome != .rpcError ? (outcome == .toolError ? 404 : 200) : nil,
                latency: ms(Double(12 + (i * 37) % 90) + (k == 4 ? 2300 : 0)),
                backendLatency: isCall && outcome != .rpcError ? ms(Double(9 + (i * 37) % 80)) : nil,
                bytesIn: 180 + i, bytesOut: 1240 + i * 13,
                error: outcome == .toolError ? "backend answered 404 Not Found" : outcome == .rpcError ? "invalid params" : nil)
        }
    }

    static let events = [
        EngineEvent(time: now.addingTimeInterval(-5), level: .warning, message: "server weather: p95 latency above 500 ms"),
        EngineEvent(time: now.addingTimeInterval(-60), level: .error, message: "backend for inventory timed out after 10 s"),
        EngineEvent(time: now.addingTimeInterval(-300), level: .info, message: "server billing disabled"),
        EngineEvent(time: now.addingTimeInterval(-3600), level: .info, message: "imported API petstore (6 operations)"),
    ]

    static func data(description: String = "Pets for assistants") -> ConsoleData {
        credentialed(
            governed(
                ConsoleData(
                    listenAddress: "http://127.0.0.1:8080", monitor: monitor, apis: apis, servers: servers(description: description),
                    records: records(),
                    events: events)))
    }

    static func state(readOnly: Bool = false, width: Int = 100, height: Int = 30, data: ConsoleData = data()) -> ConsoleState {
        var s = ConsoleState(readOnly: readOnly, width: width, height: height, data: data)
        s.timeZone = TimeZone(identifier: "UTC")!
        return s
    }

    static func emptyState() -> ConsoleState {
        var d = ConsoleData.empty(now: now)
        d.listenAddress = "http://127.0.0.1:8080"
        return state(data: d)
    }
}

extension ConsoleState {
    /// Sends keys, returning all effects.
    @discardableResult
    mutating func press(_ keys: Key...) -> [ConsoleEffect] { keys.flatMap { handle(.key($0)) } }

    /// Types text, one key per character.
    @discardableResult
    mutating func type(_ text: String) -> [ConsoleEffect] { text.flatMap { handle(.key(.char($0))) } }
}

@Suite("Console golden screens")
struct ConsoleGoldenTests {
    static let record = ProcessInfo.processInfo.environment["GATEHOUSE_RECORD_SNAPSHOTS"] == "1"

    func assertSnapshot(_ state: ConsoleState, _ name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation) throws
    {
        let text = ConsoleRenderer.render(state).text + "\n"
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/\(name).txt")
        if Self.record {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing snapshot \(name).txt: run with GATEHOUSE_RECORD_SNAPSHOTS=1 to record it", sourceLocation: sourceLocation)
            return
        }
        #expect(text == expected, "screen \(name) differs from Snapshots/\(name).txt:\n\(text)", sourceLocation: sourceLocation)
    }

    @Test func welcome() throws {
        try assertSnapshot(ConsoleFixture.emptyState(), "welcome")
    }

    @Test func dashboardWithTraffic() throws {
        try assertSnapshot(ConsoleFixture.state(), "dashboard")
    }

    @Test func servers() throws {
        var s = ConsoleFixture.state()
        s.press(.char("3"), .down)
        try assertSnapshot(s, "servers")
    }

    @Test func serverDetail() throws {
        var s = ConsoleFixture.state()
        s.press(.char("3"), .enter, .down, .down)
        try assertSnapshot(s, "server-detail")
    }

    @Test func requests() throws {
        var s = ConsoleFixture.state()
        s.press(.char("4"))
        try assertSnapshot(s, "requests")
    }

    @Test func requestDetail() throws {
        var s = ConsoleFixture.state()
        s.press(.char("4"), .enter)
        try assertSnapshot(s, "request-detail")
    }

    @Test func help() throws {
        var s = ConsoleFixture.state()
        s.press(.char("3"), .char("?"))
        try assertSnapshot(s, "help")
    }

    @Test func smallestTerminal() throws {
        var s = ConsoleFixture.state(width: 80, height: 24)
        try assertSnapshot(s, "dashboard-80x24")
        s = ConsoleFixture.emptyState()
        _ = s.handle(.resize(width: 80, height: 24))
        try assertSnapshot(s, "welcome-80x24")
    }

    @Test func tooSmall() throws {
        try assertSnapshot(ConsoleFixture.state(width: 60, height: 20), "too-small")
    }

    @Test func readOnlyServersHideMutatingHints() throws {
        var s = ConsoleFixture.state(readOnly: true)
        s.press(.char("3"))
        try assertSnapshot(s, "servers-read-only")
        let text = ConsoleRenderer.render(s).text
        #expect(!text.contains("Delete"))
        #expect(!text.contains("On/off"))
        #expect(text.contains("READ-ONLY"))
    }

    @Test func maliciousDescriptionIsEscaped() throws {
        var s = ConsoleFixture.state(data: ConsoleFixture.data(description: ConsoleFixture.malicious))
        s.press(.char("3"), .enter)
        try assertSnapshot(s, "malicious-description")
        let buffer = ConsoleRenderer.render(s)
        for cell in buffer.cells {
            #expect(!cell.text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0x202E })
        }
        #expect(buffer.text.contains(#"\x1B[2J\x1B]0;pwned\x07evil\u{202E}txt"#))
    }

    @Test func importForm() throws {
        var s = ConsoleFixture.state()
        s.press(.char("2"), .char("i"))
        s.type("pets2")
        s.press(.tab)
        try assertSnapshot(s, "import-form")
    }

    @Test func createServerForm() throws {
        var s = ConsoleFixture.state()
        s.press(.char("2"), .char("c"), .tab, .tab, .tab, .down, .char(" "))
        try assertSnapshot(s, "create-server-form")
    }

    @Test func deleteConfirmation() throws {
        var s = ConsoleFixture.state()
        s.press(.char("3"), .char("D"))
        try assertSnapshot(s, "delete-confirmation")
    }

    @Test func apiDetail() throws {
        var s = ConsoleFixture.state()
        s.press(.char("2"), .enter, .down)
        try assertSnapshot(s, "api-detail")
    }

    @Test("w on an API lists what its import found, each with where it is in the user's file")
    func apiFindings() throws {
        var s = ConsoleFixture.state()
        s.press(.char("2"), .enter, .char("w"))
        try assertSnapshot(s, "api-findings")
    }

    @Test func toolDetail() throws {
        var s = ConsoleFixture.state()
        s.press(.char("3"), .enter, .down, .down, .enter)
        try assertSnapshot(s, "tool-detail")
    }

    @Test func logs() throws {
        var s = ConsoleFixture.state()
        s.press(.char("5"))
        try assertSnapshot(s, "logs")
    }

    @Test func filteredRequestsWithCommandCompletion() throws {
        var s = ConsoleFixture.state()
        s.press(.char("4"), .char("/"))
        s.type("error")
        s.press(.enter, .char(":"))
        s.type("re")
        s.press(.tab)
        try assertSnapshot(s, "requests-filtered-command")
    }

    @Test func asciiMonochromeDashboard() throws {
        var s = ConsoleFixture.state()
        s.asciiOnly = true
        s.monochrome = true
        try assertSnapshot(s, "dashboard-ascii")
        let buffer = ConsoleRenderer.render(s)
        #expect(buffer.cells.allSatisfy { $0.style.color == nil })
        #expect(buffer.cells.allSatisfy { $0.text.unicodeScalars.allSatisfy(\.isASCII) })
    }
}
