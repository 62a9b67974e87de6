import Foundation
import Store

extension ConfigDocument {
    /// The `registry:` section: who may read it, what gateway servers' entries say, and external entries.
    ///
    /// ```yaml
    /// registry:
    ///   anonymousRead: true            # optional: true | false; omitted: only on a loopback bind
    ///   requireSubscription: false     # optional
    ///   gateway:                       # optional, per gateway server
    ///     - server: pets
    ///       version: 2.0.0             # optional: else derived from the configuration revision
    ///       title: Pets                # optional overrides
    ///       description: Pet tools
    ///       lifecycle: production      # development | testing | production | deprecated | retired
    ///       owner: team-pets
    ///       tags: [animals]
    ///       statusMessage: …           # why deprecated or retired
    ///   entries:                       # servers hosted elsewhere
    ///     - name: com.example/weather  # shorthand: name, url, transport, description, title, version
    ///       url: https://weather.example.com/mcp
    ///     - server: {…}                # or a whole server.json (packages included)
    ///       lifecycle: testing         # optional: as above, plus owner, tags, statusMessage,
    ///       allowPrivateNetwork: true  #   allowPrivateNetwork, pending (an import awaiting approval), pendingServer
    /// ```
    ///
    /// Unknown keys are refused with their path (`registry.entries[1].urll`); every `server.json` is checked against
    /// the schema (`registry.entries[1].server/description: maxLength …`).
    public struct Registry: Codable, Sendable, Equatable {
        public struct Gateway: Sendable, Equatable {
            public var server: String
            public var version, title, description, lifecycle, owner, statusMessage: String?
            public var tags: [String]?

            public init(
                server: String, version: String? = nil, title: String? = nil, description: String? = nil, lifecycle: String? = nil,
                owner: String? = nil,
                statusMessage: String? = nil, tags: [String]? = nil
            ) {
                self.server = server
                self.version = version
                self.title = title
                self.description = description
                self.lifecycle = lifecycle
                self.owner = owner
                self.statusMessage = statusMessage
                self.tags = tags
            }
        }

        public struct Entry: Sendable, Equatable {
            /// A whole `server.json`.
            public var server: JSONValue?
            /// An imported change waiting for approval.
            public var pendingServer: JSONValue?
            /// Shorthand for a remote server (instead of `server`).
            public var name, url, transport, description, title, version: String?
            public var lifecycle, owner, statusMessage: String?
            public var tags: [String]?
            public var allowPrivateNetwork: Bool?
            public var pending: Bool?

            public init(server: JSONValue? = nil, name: String? = nil, url: String? = nil) {
                self.server = server
                self.name = name
                self.url = url
            }
        }

        public var anonymousRead: Bool?
        public var requireSubscription: Bool?
        public var gateway: [Gateway]?
        public var entries: [Entry]?

        public init(anonymousRead: Bool? = nil, requireSubscription: Bool? = nil, gateway: [Gateway]? = nil, entries: [Entry]? = nil) {
            self.anonymousRead = anonymousRead
            self.requireSubscription = requireSubscription
            self.gateway = gateway
            self.entries = entries
        }

        static let keys = ["anonymousRead", "requireSubscription", "gateway", "entries"]
        static let gatewayKeys = ["server", "version", "title", "description", "lifecycle", "owner", "tags", "statusMessage"]
        static let entryKeys = [
            "server", "pendingServer", "name", "url", "transport", "description", "title", "version", "lifecycle", "owner", "tags", "statusMessage",
            "allowPrivateNetwork", "pending",
        ]

        /// Decodes strictly; a problem is thrown as a ``GatewayError`` located at its path (`registry.entries[1].url`).
        public init(from decoder: any Decoder) throws {
            try self.init(tree: try JSONValue(from: decoder))
        }

        /// Reads the section from its tree, strictly: every key known, every value of the right type.
        init(tree: JSONValue) throws(GatewayError) {
            var r = ConfigTreeReader(path: "registry")
            let o = try r.object(tree, Self.keys)
            anonymousRead = try r.bool(o["anonymousRead"], "anonymousRead")
            requireSubscription = try r.bool(o["requireSubscription"], "requireSubscription")
            if let list = o["gateway"] {
                gateway = try r.list(list, "gateway") { (r: inout ConfigTreeReader, item: JSONValue) throws(GatewayError) -> Gateway in
                    let g = try r.object(item, Self.gatewayKeys)
                    guard let server = try r.string(g["server"], "server") else { throw r.fail("missing key 'server'") }
                    return Gateway(
                        server: server, version: try r.string(g["version"], "version"), title: try r.string(g["title"], "title"),
                        description: try r.string(g["description"], "description"), lifecycle: try r.string(g["lifecycle"], "lifecycle"),
                        owner: try r.string(g["owner"], "owner"), statusMessage: try r.string(g["statusMessage"], "statusMessage"),
                        tags: try r.strings(g["tags"], "tags"))
                }
            }
            if let list = o["entries"] {
                entries = try r.list(list, "entries") { (r: inout ConfigTreeReader, item: JSONValue) throws(GatewayError) -> Entry in
                    let e = try r.object(item, Self.entryKeys)
                    var entry = Entry(server: e["server"], name: try r.string(e["name"], "name"), url: try r.string(e["url"], "url"))
                    entry.pendingServer = e["pendingServer"]
                    entry.transport = try r.string(e["transport"], "transport")
                    entry.description = try r.string(e["description"], "description")
                    entry.title = try r.string(e["title"], "title")
                    entry.version = try r.string(e["version"], "version")
                    entry.lifecycle = try r.string(e["lifecycle"], "lifecycle")
                    entry.owner = try r.string(e["owner"], "owner")
                    entry.statusMessage = try r.string(e["statusMessage"], "statusMessage")
                    entry.tags = try r.strings(e["tags"], "tags")
                    entry.allowPrivateNetwork = try r.bool(e["allowPrivateNetwork"], "allowPrivateNetwork")
                    entry.pending = try r.bool(e["pending"], "pending")
                    return entry
                }
            }
        }

        public func encode(to encoder: any Encoder) throws { try tree.encode(to: encoder) }

        /// The section as a tree, keys in a fixed order and defaults left out (exports are byte-for-byte stable).
        var tree: JSONValue {
            var o = JSONObject()
            if let a = anonymousRead { o["anonymousRead"] = .bool(a) }
            if let s = requireSubscription { o["requireSubscription"] = .bool(s) }
            if let gateway {
                o["gateway"] = .array(
                    gateway.map { g in
                        var x: JSONObject = ["server": .string(g.server)]
                        for (k, v) in [
                            ("version", g.version), ("title", g.title), ("description", g.description), ("lifecycle", g.lifecycle),
                            ("owner", g.owner),
                        ] {
                            if let v { x[k] = .string(v) }
                        }
                        if let t = g.tags { x["tags"] = .array(t.map { .string($0) }) }
                        if let m = g.statusMessage { x["statusMessage"] = .string(m) }
                        return .object(x)
                    })
            }
            if let entries {
                o["entries"] = .array(
                    entries.map { e in
                        var x = JSONObject()
                        if let s = e.server { x["server"] = s }
                        for (k, v) in [
                            ("name", e.name), ("url", e.url), ("transport", e.transport), ("description", e.description), ("title", e.title),
                            ("version", e.version), ("lifecycle", e.lifecycle), ("owner", e.owner),
                        ] {
                            if let v { x[k] = .string(v) }
                        }
                        if let t = e.tags { x["tags"] = .array(t.map { .string($0) }) }
                        if let m = e.statusMessage { x["statusMessage"] = .string(m) }
                        if let p = e.allowPrivateNetwork { x["allowPrivateNetwork"] = .bool(p) }
                        if let p = e.pending { x["pending"] = .bool(p) }
                        if let p = e.pendingServer { x["pendingServer"] = p }
                        return .object(x)
                    })
            }
            return .object(o)
        }
    }
}

/// Reads a tree strictly, naming the path of what is wrong.
struct ConfigTreeReader {
    var path: String

    func fail(_ message: String) -> GatewayError { GatewayError(.invalidConfig, message, location: path) }

    func object(_ v: JSONValue, _ known: [String]) throws(GatewayError) -> JSONObject {
        guard case .object(let o) = v else { throw fail("expected a mapping, got \(v.schemaTypeName)") }
        for k in o.keys where !known.contains(k) {
            throw GatewayError(
                .invalidConfig, "unknown key '\(k.prefix(60))' (expected one of \(known.joined(separator: ", ")))", location: path + "." + k)
        }
        return o
    }

    func string(_ v: JSONValue?, _ key: String) throws(GatewayError) -> String? {
        guard let v else { return nil }
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        default: throw GatewayError(.invalidConfig, "expected a string, got \(v.schemaTypeName)", location: path + "." + key)
        }
    }

    func bool(_ v: JSONValue?, _ key: String) throws(GatewayError) -> Bool? {
        guard let v else { return nil }
        guard case .bool(let b) = v else {
            throw GatewayError(.invalidConfig, "expected true or false, got \(v.schemaTypeName)", location: path + "." + key)
        }
        return b
    }

    func strings(_ v: JSONValue?, _ key: String) throws(GatewayError) -> [String]? {
        guard let v else { return nil }
        guard case .array(let a) = v else { throw GatewayError(.invalidConfig, "expected a list of strings", location: path + "." + key) }
        return try a.enumerated().map { (i, item) throws(GatewayError) -> String in
            guard case .string(let s) = item else { throw GatewayError(.invalidConfig, "expected a string", location: "\(path).\(key)[\(i)]") }
            return s
        }
    }

    mutating func list<T>(_ v: JSONValue, _ key: String, _ item: (inout ConfigTreeReader, JSONValue) throws(GatewayError) -> T) throws(GatewayError)
        -> [T]
    {
        guard case .array(let a) = v else { throw GatewayError(.invalidConfig, "expected a list", location: path + "." + key) }
        var out: [T] = []
        for (i, element) in a.enumerated() {
            var r = ConfigTreeReader(path: "\(path).\(key)[\(i)]")
            out.append(try item(&r, element))
        }
        return out
    }
}

extension ConfigApplier {
    /// Refuses a top-level key the document does not have (`registy:` would otherwise be ignored silently).
    static func refuseUnknownSections(_ text: String, file: String) throws(GatewayError) {
        guard case .object(let root)? = try? YAMLTreeConverter(sourceName: file).convert(text) else { return }
        let known = Mirror(reflecting: ConfigDocument()).children.compactMap(\.label)
        for key in root.keys where !known.contains(key) {
            throw GatewayError(
                .invalidConfig, "unknown key '\(key.prefix(60))' (expected one of \(known.joined(separator: ", ")))", location: "\(file): \(key)")
        }
    }
}
