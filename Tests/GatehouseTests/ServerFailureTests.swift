import Foundation
import Testing

@testable import GatewayEngine

/// Which failures are the server side's (what health judges) and which are the client's, over real HTTP: invalid
/// arguments, an unknown tool and a 404 the backend chose are the client's; a backend nobody answers for is the
/// server's, and the snapshot counts it apart.
@Suite struct ServerFailureTests {
    static func call(_ tool: String, _ arguments: String, id: Int) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#
    }

    @Test func clientMistakesAndServerFailuresAreToldApart() async throws {
        let g = try await TestGateway.start()
        defer { g.stop() }
        let sid = try await initialize(g)
        let headers = ["Mcp-Session-Id": sid]
        _ = try await send(g.url, body: Self.call("getPetById", #"{"petId":"seven"}"#, id: 1), headers: headers)
        _ = try await send(g.url, body: Self.call("noSuchTool", "{}", id: 2), headers: headers)
        _ = try await send(g.url, body: Self.call("getPetById", #"{"petId":0}"#, id: 3), headers: headers)
        var records = g.gateway.monitor.recentRecords(limit: 10).filter { $0.method == "tools/call" }
        #expect(records.count == 3)
        #expect(records.allSatisfy { $0.outcome != .ok && !$0.serverFailure }, "\(records.map { ($0.outcome, $0.error ?? "") })")

        // The backend goes away: a refused connection is the server side's failure.
        _ = try g.gateway.store.updateAPI(named: "petstore", baseUrl: .some("http://127.0.0.1:1"), documentBaseUrl: nil, allowPrivateNetwork: true)
        g.gateway.reload()
        _ = try await send(g.url, body: Self.call("getPetById", #"{"petId":7}"#, id: 4), headers: headers)
        records = g.gateway.monitor.recentRecords(limit: 1)
        #expect(records.first?.outcome == .toolError && records.first?.serverFailure == true, "\(String(describing: records.first?.error))")
    }

    @Test func theWindowCountsServerFailuresApart() {
        var w = RollingWindow()
        for i in 0..<10 { w.add(second: 100, latencyMicros: 1000, isError: i < 4, isServerFailure: i == 0) }
        // The window covers completed seconds.
        let stats = w.stats(now: 101)
        #expect(stats.requests == 10 && stats.serverErrors == 1 && stats.clientErrors == 3)
        #expect(stats.serverErrorRate == 0.1 && stats.errorRate == 0.4)
    }
}
