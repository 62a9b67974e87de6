import ArgumentParser
import Foundation
import GatewayEngine
import Store

struct SubscriptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscription", abstract: "Manage subscriptions: named keys sent in the Gatehouse-Subscription-Key header.",
        subcommands: [Create.self, List.self, Suspend.self, Resume.self, Rotate.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a subscription and print its key (shown only this once).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        @Option(name: .long, help: "Comma-separated servers the key opens (default: every server).") var servers: String?
        @Option(name: .long, help: "Expiry, ISO 8601 (2027-01-01T00:00:00Z) or a duration in days (30d).") var expires: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runReportingErrors {
                let list = servers.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
                let expiry = try expires.map(SubscriptionCommand.parseExpiry)
                let (record, key) = try SubscriptionKeys(store: try store.open()).create(name: name, servers: list, expiresAt: expiry)
                if output.json {
                    try printJSON(["name": record.name, "key": key])
                } else {
                    print("created subscription '\(record.name)'")
                    print("key: \(key)")
                    print("This key is shown only now; store it safely. Clients send it in the Gatehouse-Subscription-Key header.")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List subscriptions (keys are never shown).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runReportingErrors {
                let subs = try store.open(reading: true).subscriptions()
                let iso = ISO8601DateFormatter()
                if output.json {
                    try printJSON(
                        subs.map {
                            [
                                "name": $0.name, "state": $0.state.rawValue, "servers": $0.serverNames?.joined(separator: ",") ?? "*",
                                "key": "…" + $0.keyHint, "expires": $0.expiresAt.map(iso.string) ?? "",
                            ]
                        })
                } else {
                    printTable(
                        ["NAME", "STATE", "SERVERS", "KEY", "EXPIRES"],
                        subs.map {
                            [
                                $0.name, $0.state.rawValue, $0.serverNames?.joined(separator: ",") ?? "all", "…" + $0.keyHint,
                                $0.expiresAt.map(iso.string) ?? "never",
                            ]
                        })
                }
            }
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend a subscription (its key is refused until resumed).")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                try store.open().updateSubscription(named: name, state: .suspended)
                print("suspended subscription '\(name)'")
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a suspended subscription.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                try store.open().updateSubscription(named: name, state: .active)
                print("resumed subscription '\(name)'")
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace a subscription's key; the old key stops working at once.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                let key = try SubscriptionKeys(store: try store.open()).rotate(name: name)
                print("new key for '\(name)': \(key)")
                print("This key is shown only now.")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a subscription.")
        @OptionGroup var store: StoreOptions
        @Argument var name: String
        func run() async throws {
            try await runReportingErrors {
                try store.open().deleteSubscription(named: name)
                print("deleted subscription '\(name)'")
            }
        }
    }

    /// `2027-01-01T00:00:00Z` or `30d` (``SubscriptionKeys/parseExpiry(_:now:)``).
    static func parseExpiry(_ text: String) throws -> Date {
        do { return try SubscriptionKeys.parseExpiry(text) } catch { throw GatewayError(.invalidArgument, "--expires: \(error.message)") }
    }
}
