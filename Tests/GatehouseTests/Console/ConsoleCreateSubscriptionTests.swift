import Foundation
import Store
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// Creating a subscription and rotating its key from the console: the form's checks, the key shown once in a dialog
/// (copyable, gone when closed) and never in the flash, the log pane or the state's description.
@Suite("Console: subscriptions created from the console", .serialized, .timeLimit(.minutes(1)))
struct ConsoleCreateSubscriptionTests {
    typealias Fixture = ConsoleDriverTests.Fixture

    @MainActor
    func driver(_ f: Fixture, _ reports: ReportLog) -> ConsoleDriver {
        ConsoleDriver(
            state: ConsoleState(width: 120, height: 36), sampler: ConsoleDataSampler(monitoring: f.monitor, store: f.store),
            executor: ConsoleEffectExecutor(store: f.store, readOnly: false, demo: f.loader, report: { reports.add($0, $1) }),
            editSession: ConsoleEditSession(store: f.store, directory: f.dir))
    }

    @MainActor
    func type(_ driver: ConsoleDriver, _ text: String) async {
        for c in text { await driver.send(.key(.char(c))) }
    }

    @Test("n creates a subscription; its key is shown once, copyable, and nowhere else")
    @MainActor
    func createShowsKeyOnce() async throws {
        let f = try Fixture()
        #expect(await f.executor().execute(.loadDemo)?.succeeded == true)
        let reports = ReportLog()
        let driver = driver(f, reports)
        var copied: [String] = []
        driver.copy = { copied.append($0) }
        await driver.refresh()
        await driver.send(.key(.char("7")))
        #expect(driver.state.screen == .subscriptions)
        await driver.send(.key(.char("n")))
        #expect(driver.screen.text.contains("New subscription"))
        await type(driver, "ci-bot")
        await driver.send(.key(.enter))

        guard case .reveal(let shown) = driver.state.mode else {
            Issue.record("no shown-once dialog: \(driver.state.mode), flash \(String(describing: driver.state.flash))")
            return
        }
        let key = shown.value
        #expect(key.hasPrefix("ghk_") && key.count == 47)
        let record = try f.store.subscription(named: "ci-bot")
        #expect(record.keyHash == PolicyEngine.hashKey(key))
        #expect(record.serverNames == nil)
        let screen = driver.screen.text
        #expect(screen.contains(key))
        #expect(screen.contains("Shown only now: it is stored as a hash"))
        let flash = try #require(driver.state.flash)
        #expect(flash.message == "created subscription 'ci-bot' (key …\(key.suffix(4)))")
        #expect(!reports.messages.isEmpty)
        #expect(reports.messages.allSatisfy { !$0.contains(key) })
        #expect(!"\(driver.state.mode)".contains(key))

        // A stray q or letter does not close it; y copies and keeps it open; enter closes it for good.
        await driver.send(.key(.char("q")))
        await driver.send(.key(.char("x")))
        #expect(driver.state.mode == .reveal(shown))
        await driver.send(.key(.char("y")))
        #expect(copied == [key])
        #expect(driver.state.mode == .reveal(shown))
        await driver.send(.key(.enter))
        #expect(driver.state.mode == .normal)
        #expect(!driver.screen.text.contains(key))
        #expect(driver.state.data.subscriptions.map(\.name) == ["ci-bot"])
        #expect(driver.screen.text.contains("cannot be shown again"))
    }

    @Test("the form refuses a bad name, a taken name, no server chosen and a past expiry, and keeps what was typed")
    @MainActor
    func formRefusals() async throws {
        let f = try Fixture()
        #expect(await f.executor().execute(.loadDemo)?.succeeded == true)
        _ = try SubscriptionKeys(store: f.store).create(name: "taken", servers: nil, expiresAt: nil)
        let driver = driver(f, ReportLog())
        await driver.refresh()
        await driver.send(.key(.char("7")))

        func error() -> String? {
            if case .form(let form) = driver.state.mode { return form.error }
            return "no form open"
        }
        await driver.send(.key(.char("n")))
        await type(driver, "bad name")
        await driver.send(.key(.enter))
        #expect(error()?.contains("must be 1–64 letters, digits") == true, "\(error() ?? "")")
        for _ in 0..<8 { await driver.send(.key(.backspace)) }
        await type(driver, "taken")
        await driver.send(.key(.enter))
        #expect(error() == "a subscription named 'taken' exists")
        for _ in 0..<5 { await driver.send(.key(.backspace)) }
        await type(driver, "pets-only")
        await driver.send(.key(.tab)) // Every server
        await driver.send(.key(.char(" ")))
        await driver.send(.key(.enter))
        #expect(error()?.hasPrefix("choose at least one server") == true)
        await driver.send(.key(.tab)) // Servers
        await driver.send(.key(.char(" ")))
        await driver.send(.key(.tab)) // Expires
        await type(driver, "2020-01-01T00:00:00Z")
        await driver.send(.key(.enter))
        #expect(error() == "expires: that time has passed")
        for _ in 0..<20 { await driver.send(.key(.backspace)) }
        await type(driver, "30d")
        await driver.send(.key(.enter))
        guard case .reveal(let shown) = driver.state.mode else {
            Issue.record("not created: \(driver.state.mode)")
            return
        }
        let record = try f.store.subscription(named: "pets-only")
        #expect(record.serverNames == ["demo"])
        #expect(record.keyHash == PolicyEngine.hashKey(shown.value))
        let days = (record.expiresAt?.timeIntervalSinceNow ?? 0) / 86_400
        #expect(days > 29.9 && days <= 30)
    }

    @Test("K rotates the key after asking; the new key is shown once and the old one stops matching")
    @MainActor
    func rotate() async throws {
        let f = try Fixture()
        let (_, old) = try SubscriptionKeys(store: f.store).create(name: "bot", servers: nil, expiresAt: nil)
        let driver = driver(f, ReportLog())
        await driver.refresh()
        await driver.send(.key(.char("7")))
        await driver.send(.key(.char("K")))
        #expect(driver.screen.text.contains("Replace the key of bot (now …\(old.suffix(4)))?"))
        await driver.send(.key(.char("y")))
        guard case .reveal(let shown) = driver.state.mode else {
            Issue.record("no new key shown: \(driver.state.mode)")
            return
        }
        #expect(shown.value != old && shown.title == "New subscription key")
        let record = try f.store.subscription(named: "bot")
        #expect(record.keyHash == PolicyEngine.hashKey(shown.value))
        #expect(record.keyHash != PolicyEngine.hashKey(old))
    }

    @Test("read-only consoles offer neither key")
    @MainActor
    func readOnly() async throws {
        let f = try Fixture()
        let driver = f.driver(readOnly: true)
        await driver.refresh()
        await driver.send(.key(.char("7")))
        await driver.send(.key(.char("n")))
        #expect(driver.state.mode == .normal)
        #expect(driver.state.flash?.message.contains("read-only") == true)
        #expect(try f.store.subscriptions().isEmpty)
    }
}
