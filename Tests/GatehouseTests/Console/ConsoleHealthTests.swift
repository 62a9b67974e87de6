import Foundation
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// A server's health counts server-side failures only: clients sending invalid arguments or calling unknown tools
/// are shown, but a healthy server does not turn CRIT because of them.
@Suite("Console health")
struct ConsoleHealthTests {
    @Test func clientMistakesNeverMakeAServerCritical() {
        let clientsOnly = TrafficStats(requestsPerSecond: 5, errorRate: 0.5, p95: .milliseconds(20), requests: 100, serverErrors: 0)
        #expect(Severity.health(clientsOnly, enabled: true) == .ok)
        #expect(clientsOnly.clientErrors == 50)
        let failing = TrafficStats(requestsPerSecond: 5, errorRate: 0.5, p95: .milliseconds(20), requests: 100, serverErrors: 30)
        #expect(Severity.health(failing, enabled: true) == .crit)
        #expect(failing.clientErrors == 20 && failing.serverErrorRate == 0.3)
    }
}
