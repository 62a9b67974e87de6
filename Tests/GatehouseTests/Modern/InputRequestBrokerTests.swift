import Foundation
import Testing

@testable import GatewayEngine

/// Multi round-trip requests for stateless clients: who may continue a parked call, and for how long.
@Suite("2026-07-28: parked multi round-trip calls")
struct InputRequestBrokerTests {
    func call() -> PendingInputCall {
        let session = MCPSession(basePath: "b", transport: .streamable, client: "c", protocolVersion: "2026-07-28")
        return PendingInputCall(clientCapabilities: ["sampling": .object([:])], handle: session.relay.track("k"))
    }

    @Test("a token continues its call once, for its owner only, within the lifetime")
    func ownership() {
        let broker = InputRequestBroker(limit: 8, lifetime: .seconds(60))
        let start = ContinuousClock.now
        let parked = call()
        let token = broker.park(parked, owner: "b\u{0}sub:alpha", now: start)
        #expect(token.hasPrefix("gh1.") && token.count >= 24)
        #expect(broker.take(token, owner: "b\u{0}sub:beta", now: start) == nil, "another principal cannot continue it")
        #expect(broker.take("gh1.forged", owner: "b\u{0}sub:alpha", now: start) == nil)
        #expect(broker.take(token, owner: "b\u{0}sub:alpha", now: start + .seconds(61)) == nil, "expired")
        #expect(broker.count == 0, "an expired call is dropped when someone tries it")
        let again = broker.park(parked, owner: "b\u{0}sub:alpha", now: start)
        #expect(again != token, "every round gets a new token")
        #expect(broker.take(again, owner: "b\u{0}sub:alpha", now: start + .seconds(5)) === parked)
        #expect(broker.take(again, owner: "b\u{0}sub:alpha", now: start + .seconds(5)) == nil, "a token is used once")
    }

    @Test("past the limit the oldest parked call is abandoned: what its upstream waits for fails")
    func limit() async {
        let broker = InputRequestBroker(limit: 2, lifetime: .seconds(60))
        let first = call()
        let asked = Task { await first.request(method: "sampling/createMessage", params: nil, sink: nil, timeout: .seconds(30)) }
        guard case .ask = await first.nextEvent() else {
            Issue.record("no ask")
            return
        }
        let now = ContinuousClock.now
        _ = broker.park(first, owner: "o", now: now)
        _ = broker.park(call(), owner: "o", now: now + .seconds(1))
        _ = broker.park(call(), owner: "o", now: now + .seconds(2))
        let answer = await asked.value
        #expect(answer["error"]?["message"]?.stringValue?.contains("did not continue") == true, "\(answer)")
        #expect(broker.count == 2)
    }
}
