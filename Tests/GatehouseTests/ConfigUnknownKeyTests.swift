import Foundation
import Testing

@testable import GatewayEngine

/// `gatehouse apply` refuses a key it does not read at any level, naming its path and the keys it expected, so a
/// typo never loses configuration silently; a key written as `null` is a key left out.
@Suite struct ConfigUnknownKeyTests {
    func refusal(_ yaml: String) -> GatewayError? {
        do {
            _ = try ConfigApplier.parse(yaml, file: "c.yaml")
            return nil
        } catch { return error }
    }

    @Test(
        "an unknown key is refused where it is",
        arguments: [
            ("alertz: []\n", "c.yaml: alertz", "alertz"),
            ("apis:\n  - name: p\n    spec: p.yaml\n    baseURL: http://x\n", "c.yaml: apis[0].baseURL", "baseUrl"),
            ("servers:\n  - name: s\n    api: p\n    basepath: x\n", "c.yaml: servers[0].basepath", "basePath"),
            (
                "servers:\n  - name: s\n    api: p\n    tools:\n      - operation: listPets\n        nmae: l\n",
                "c.yaml: servers[0].tools[0].nmae", "operation, name"
            ),
            (
                "servers:\n  - name: s\n    upstreams:\n      - upstream: u\n        prefx: a_\n",
                "c.yaml: servers[0].upstreams[0].prefx", "prefix"
            ),
            ("upstreams:\n  - name: u\n    command: [x]\n    env: {A: {env: B, fiel: c}}\n", "c.yaml: upstreams[0].env.A.fiel", "env"),
            ("subscriptions:\n  - name: k\n    expires: 2027-01-01T00:00:00Z\n", "c.yaml: subscriptions[0].expires", "expiresAt"),
        ])
    func refused(yaml: String, location: String, expected: String) throws {
        let error = try #require(refusal(yaml), "accepted: \(yaml)")
        #expect(error.code == .invalidConfig)
        #expect(error.location == location, "\(error)")
        #expect(error.message.contains("unknown key") && error.message.contains(expected), "\(error)")
    }

    @Test("known keys, null values, free-form maps and policy trees are accepted")
    func accepted() throws {
        let yaml = """
            apis:
              - name: p
                spec: p.yaml
                baseUrl: null
            servers:
              - name: s
                api: p
                description: ~
                upstreams:
                  - upstream: u
                    rename: {anyName: other}
                    descriptions: {x: y}
            upstreams:
              - name: u
                url: http://127.0.0.1:1/mcp
                headers: {X-Any-Header: v}
            policies:
              - scope: global
                inbound:
                  - rate-limit: {calls: 5, renewal-period: 30}
            subscriptions:
              - name: k
                expiresAt: 2027-01-01T00:00:00Z

            """
        let document = try ConfigApplier.parse(yaml, file: "c.yaml")
        #expect(document.servers?.first?.upstreams?.first?.rename == ["anyName": "other"])
    }
}
