import Foundation
import Testing

@testable import GatewayEngine

@Suite("server.json validation")
struct ServerJSONValidatorTests {
    func violations(_ json: String) throws -> [String] {
        ServerJSONValidator().validate(try JSONParser().parse(json)).map(\.description)
    }

    @Test("valid documents: minimal, with a remote and headers, with packages and arguments")
    func valid() throws {
        #expect(try violations(#"{"name":"io.github.user/weather","description":"Weather","version":"1.0.2"}"#).isEmpty)
        #expect(
            try violations(
                #"""
                {"$schema":"https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json","name":"com.example/api","title":"API",
                 "description":"An API","version":"2.1.0-alpha","websiteUrl":"https://example.com",
                 "repository":{"url":"https://github.com/example/api","source":"github","subfolder":"src/server"},
                 "icons":[{"src":"https://example.com/i.png","mimeType":"image/png","sizes":["48x48","any"],"theme":"dark"}],
                 "remotes":[{"type":"streamable-http","url":"https://{tenant}.example.com/mcp",
                   "headers":[{"name":"Authorization","value":"Bearer {token}","isRequired":true,"isSecret":true,
                     "variables":{"token":{"isSecret":true}}}],"variables":{"tenant":{"description":"Tenant","isRequired":true}}},
                   {"type":"sse","url":"{baseUrl}/sse"}],
                 "_meta":{"io.modelcontextprotocol.registry/publisher-provided":{"tool":"x"},"com.example/other":1}}
                """#
            ).isEmpty)
        #expect(
            try violations(
                #"""
                {"name":"io.modelcontextprotocol/filesystem","description":"Files","version":"1.0.2",
                 "packages":[{"registryType":"npm","identifier":"@modelcontextprotocol/server-filesystem","version":"1.0.2",
                   "transport":{"type":"stdio"},"runtimeHint":"npx",
                   "runtimeArguments":[{"type":"named","name":"--yes"}],
                   "packageArguments":[{"type":"positional","valueHint":"path","isRepeated":true,"format":"filepath"}],
                   "environmentVariables":[{"name":"LOG","default":"info","choices":["info","debug"]}]},
                  {"registryType":"mcpb","identifier":"https://github.com/e/r/releases/download/v1/s.mcpb",
                   "fileSha256":"fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce","transport":{"type":"stdio"}},
                  {"registryType":"oci","identifier":"ghcr.io/e/s:1","transport":{"type":"streamable-http","url":"http://localhost:{port}/mcp"}}]}
                """#
            ).isEmpty)
    }

    @Test(
        "each violation names its JSON pointer and the rule",
        arguments: [
            (#"{"description":"d","version":"1"}"#, "/: required: missing property 'name'"),
            (
                #"{"name":"weather","description":"d","version":"1"}"#,
                "/name: pattern: must match ^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$ (reverse-DNS with exactly one '/')"
            ),
            (#"{"name":"a/b/c","description":"d","version":"1"}"#, "/name: pattern"),
            (
                #"{"name":"a.b/c","description":"\#(String(repeating: "x", count: 101))","version":"1"}"#,
                "/description: maxLength: at most 100 characters (got 101)"
            ),
            (#"{"name":"a.b/c","description":"","version":"1"}"#, "/description: minLength: at least 1 character (got 0)"),
            (#"{"name":"a.b/c","description":"d","version":"^1.2.3"}"#, "/version: a specific version, not a range"),
            (#"{"name":"a.b/c","description":"d","version":"1.x"}"#, "/version: a specific version, not a range"),
            (#"{"name":"a.b/c","description":"d","version":1}"#, "/version: type: expected string, got integer"),
            (#"{"name":"a.b/c","description":"d","version":"1","websiteUrl":"not a url"}"#, "/websiteUrl: format: must be an absolute URI"),
            (
                #"{"name":"a.b/c","description":"d","version":"1","remotes":[{"type":"websocket","url":"wss://x"}]}"#,
                "/remotes/0/type: enum: must be one of streamable-http, sse"
            ),
            (#"{"name":"a.b/c","description":"d","version":"1","remotes":[{"type":"sse","url":"ftp://x"}]}"#, "/remotes/0/url: pattern"),
            (#"{"name":"a.b/c","description":"d","version":"1","remotes":[{"type":"sse"}]}"#, "/remotes/0: required: missing property 'url'"),
            (
                #"{"name":"a.b/c","description":"d","version":"1","remotes":[{"type":"sse","url":"https://x","headers":[{"isSecret":true}]}]}"#,
                "/remotes/0/headers/0: required: missing property 'name'"
            ),
            (
                #"{"name":"a.b/c","description":"d","version":"1","packages":[{"registryType":"npm","identifier":"x","version":"latest","transport":{"type":"stdio"}}]}"#,
                "/packages/0/version: not 'latest'"
            ),
            (
                #"{"name":"a.b/c","description":"d","version":"1","packages":[{"registryType":"mcpb","identifier":"https://x/y.mcpb","transport":{"type":"stdio"}}]}"#,
                "/packages/0: required: 'fileSha256' is required for mcpb packages"
            ),
            (
                #"{"name":"a.b/c","description":"d","version":"1","packages":[{"registryType":"npm","identifier":"x","transport":{"type":"stdio"},"packageArguments":[{"type":"positional"}]}]}"#,
                "/packages/0/packageArguments/0: anyOf: a positional argument needs 'valueHint' or 'value'"
            ),
            (
                #"{"name":"a.b/c","description":"d","version":"1","packages":[{"registryType":"npm","identifier":"x"}]}"#,
                "/packages/0: required: missing property 'transport'"
            ),
            (#"{"name":"a.b/c","description":"d","version":"1","icons":[{"src":"http://x/i.png"}]}"#, "/icons/0/src: format: must be an https URL"),
            (
                #"{"name":"a.b/c","description":"d","version":"1","_meta":{"io.modelcontextprotocol.registry/publisher-provided":"x"}}"#,
                "/_meta/io.modelcontextprotocol.registry~1publisher-provided: type: expected object, got string"
            ),
        ])
    func refusals(json: String, expected: String) throws {
        let found = try violations(json)
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test("check() throws one error listing the violations, and accepts a valid document")
    func check() throws {
        let bad = try JSONParser().parse(#"{"name":"x","description":"","version":"~1"}"#)
        #expect(throws: GatewayError.self) { try ServerJSONValidator().check(bad, source: "s.json") }
        do {
            try ServerJSONValidator().check(bad, source: "s.json")
        } catch {
            #expect(error.message.hasPrefix("s.json breaks the server.json schema: /name: minLength"))
            #expect(error.message.contains("/description: minLength") && error.message.contains("/version: a specific version"))
        }
        try ServerJSONValidator().check(try JSONParser().parse(#"{"name":"a.b/c","description":"d","version":"1.0.0"}"#))
    }
}
