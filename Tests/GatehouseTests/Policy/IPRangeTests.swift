import HTTPTypes
import Logging
import Store
import Testing

@testable import GatewayEngine

@Suite("IP ranges and client addresses")
struct IPRangeTests {
    @Test("single addresses, ranges, CIDR blocks and IPv6 match their normalised addresses")
    func matching() throws {
        func contains(_ range: String, _ address: String) throws -> Bool {
            try #require(IPRange(range)).contains(try #require(IPAddressBytes(address)))
        }
        #expect(try contains("10.0.0.0/8", "10.255.1.2"))
        #expect(try !contains("10.0.0.0/8", "11.0.0.1"))
        #expect(try contains("10.0.0.0/8", "::ffff:10.0.0.1"), "IPv4-mapped IPv6 is the same address")
        #expect(try contains("::ffff:10.0.0.1", "10.0.0.1"))
        #expect(try contains("192.168.1.1-192.168.1.9", "192.168.1.5"))
        #expect(try !contains("192.168.1.1-192.168.1.9", "192.168.1.10"))
        #expect(try contains("2001:db8::/32", "2001:db8:ffff::1"))
        #expect(try !contains("2001:db8::/32", "2001:db9::1"))
        #expect(try contains("::1", "[::1]"))
        #expect(try contains("0.0.0.0/0", "8.8.8.8"))
        #expect(try !contains("0.0.0.0/0", "2001:db8::1"), "an IPv4 block never holds a real IPv6 address")
        #expect(try contains("203.0.113.7/32", "203.0.113.7"))
        #expect(try !contains("203.0.113.7/32", "203.0.113.8"))
        for bad in ["10.0.0.0/33", "10.0.0.300", "10.0.0.9-10.0.0.1", "fe80::/129", "host.example", "", "10.0.0.1-::1"] {
            #expect(IPRange(bad) == nil, "\(bad)")
        }
        #expect(IPAddressBytes("::ffff:10.0.0.1")?.description == "10.0.0.1")
    }

    @Test("X-Forwarded-For is believed only from trusted proxies, right-most untrusted hop first")
    func forwardedFor() throws {
        let dir = TempDir()
        let store = try GatewayStore(configuration: .init(path: dir.path + "/g.sqlite"))
        let engine = PolicyEngine(
            store: store, monitor: RequestMonitor(), logger: Logger(label: "t"), clock: .system, trustedProxies: [IPRange("10.0.0.0/8")!])
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Forwarded-For")!] = "6.6.6.6, 198.51.100.7, 10.0.0.2"
        #expect(engine.clientAddress(peer: "10.0.0.1", headers: headers) == "198.51.100.7")
        #expect(engine.clientAddress(peer: "203.0.113.9", headers: headers) == "203.0.113.9", "a spoofed header from an untrusted peer is ignored")
        #expect(engine.clientAddress(peer: "10.0.0.1", headers: [:]) == "10.0.0.1")
        headers[HTTPField.Name("X-Forwarded-For")!] = "10.0.0.7"
        #expect(engine.clientAddress(peer: "10.0.0.1", headers: headers) == "10.0.0.7", "all hops trusted: the left-most")
        #expect(engine.clientAddress(peer: "::ffff:10.0.0.1", headers: headers) == "10.0.0.7")
    }
}
