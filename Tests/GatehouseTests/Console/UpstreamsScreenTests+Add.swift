import Foundation
import Store
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// `n` on screen 9: an upstream added from the console is tested (connect, list, record) before it is kept; a failed
/// test saves nothing and reopens the form with the reason.
extension UpstreamsScreenTests {
    @MainActor
    func addDriver(_ f: Fixture) -> ConsoleDriver {
        ConsoleDriver(
            state: ConsoleState(width: 120, height: 36), sampler: f.sampler,
            executor: ConsoleEffectExecutor(store: f.store, readOnly: false),
            editSession: ConsoleEditSession(store: f.store, directory: f.dir))
    }

    /// Opens the form and fills the fields by label (tab moves between them; checkboxes toggle with space).
    @MainActor
    func fillAddForm(_ driver: ConsoleDriver, _ values: [String: String], check: Set<String> = []) async {
        await driver.send(.key(.char("n")))
        guard case .form(let form) = driver.state.mode else {
            Issue.record("no form: \(driver.state.mode)")
            return
        }
        for (i, field) in form.fields.enumerated() {
            if i > 0 { await driver.send(.key(.tab)) }
            if let v = values[field.label] {
                for _ in field.input.text { await driver.send(.key(.backspace)) }
                for c in v { await driver.send(.key(.char(c))) }
            }
            if check.contains(field.label) { await driver.send(.key(.char(" "))) }
        }
        await driver.send(.key(.enter))
    }

    func formError(_ s: ConsoleState) -> String? {
        if case .form(let form) = s.mode { return form.error }
        return nil
    }

    @Test("a stdio upstream typed as one quoted command line is tested, recorded and kept")
    @MainActor
    func addStdioUpstream() async throws {
        let f = try Fixture()
        let dir = f.dir + "/with space"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = dir + "/fake_mcp.py"
        let tools = f.dir + "/tools.json"
        try Self.fakeServer.write(toFile: script, atomically: true, encoding: .utf8)
        try #"[{"name": "search", "description": "Search.", "inputSchema": {"type": "object"}}]"#.write(
            toFile: tools, atomically: true, encoding: .utf8)
        let driver = addDriver(f)
        await driver.refresh()
        await driver.send(.key(.char("9")))
        await fillAddForm(driver, ["Name": "docs", "Command": "python3 '\(script)' \(tools)", "Environment": "MODE=test"])
        #expect(driver.state.mode == .normal, "\(formError(driver.state) ?? "")")
        #expect(driver.state.flash?.message == "added upstream 'docs' (fake 1.0): 1 tool listed, added 'search'")
        let record = try f.store.upstream(named: "docs")
        #expect(record.transport == .stdio)
        #expect(record.argv == ["python3", script, tools])
        #expect(record.env == ["MODE": "test"])
        #expect(try f.tool("docs", "search")?.status == .approved)
        #expect(driver.state.data.upstreams.map(\.name) == ["docs"])
    }

    @Test("a failed test saves nothing and reopens the form with the reason; Save untested keeps it")
    @MainActor
    func failedTestSavesNothing() async throws {
        let f = try Fixture()
        let driver = addDriver(f)
        await driver.refresh()
        await driver.send(.key(.char("9")))
        await fillAddForm(driver, ["Name": "broken", "Command": #"python3 -c "import sys; sys.exit(3)""#])
        let error = try #require(formError(driver.state), "the form did not reopen: \(driver.state.mode)")
        #expect(error.hasPrefix("the test failed, nothing saved: "), "\(error)")
        #expect(error.hasSuffix("(check Save untested to keep it anyway)"))
        #expect(try f.store.upstreams().isEmpty)

        // The reopened form keeps what was typed: check Save untested and submit again.
        guard case .form(let form) = driver.state.mode else { return }
        #expect(form.fields[4].value == #"python3 -c "import sys; sys.exit(3)""#)
        for _ in form.focus..<6 { await driver.send(.key(.tab)) }
        await driver.send(.key(.char(" ")))
        await driver.send(.key(.enter))
        #expect(driver.state.flash?.message == "added upstream 'broken' untested: t connects and lists its tools")
        #expect(try f.store.upstream(named: "broken").argv == ["python3", "-c", "import sys; sys.exit(3)"])
    }

    @Test("a secret-looking environment value is saved with the CLI's warning, and its value is not repeated")
    @MainActor
    func clearSecretWarning() async throws {
        let f = try Fixture()
        let driver = addDriver(f)
        await driver.refresh()
        await driver.send(.key(.char("9")))
        await fillAddForm(driver, ["Name": "envy", "Command": "python3", "Environment": "MODE=x API_TOKEN=s3cr3t-value"], check: ["Save untested"])
        let flash = try #require(driver.state.flash?.message)
        #expect(flash.hasPrefix("added upstream 'envy' untested"), "\(flash)")
        #expect(
            flash.hasSuffix(
                "; warning: API_TOKEN looks like a secret and environment values are stored unsealed: keep it in a credential and write {{credential:NAME}}"
            ))
        #expect(!flash.contains("s3cr3t"))
    }

    @Test("a loopback URL is refused by the SSRF guard unless Private network is checked; mixed or bad fields are refused")
    @MainActor
    func refusals() async throws {
        let f = try Fixture()
        let driver = addDriver(f)
        await driver.refresh()
        await driver.send(.key(.char("9")))
        await fillAddForm(driver, ["Name": "local", "URL": "http://127.0.0.1:9/mcp"])
        let guardError = try #require(formError(driver.state))
        #expect(guardError.contains("127.0.0.1") && guardError.contains("private network"), "\(guardError)")
        #expect(try f.store.upstreams().isEmpty)
        await driver.send(.key(.escape))

        await fillAddForm(driver, ["Name": "both", "URL": "https://example.com/mcp", "Command": "echo"])
        #expect(formError(driver.state) == "give either a URL or a command, not both")
        await driver.send(.key(.escape))
        await fillAddForm(driver, ["Name": "bad name", "URL": "https://example.com/mcp"])
        #expect(
            formError(driver.state)
                == "name 'bad name' must be 1–64 characters of letters, digits, '_', '-', '.', starting with a letter or digit")
        await driver.send(.key(.escape))
        await fillAddForm(driver, ["Name": "q", "Command": "python3 'unclosed"])
        #expect(formError(driver.state) == "the command line has an unclosed '")
        await driver.send(.key(.escape))
        await fillAddForm(driver, ["Name": "e", "Command": "python3", "Environment": "=x"])
        #expect(formError(driver.state) == "environment: '=x' is not K=V")
        await driver.send(.key(.escape))
        await fillAddForm(driver, ["Name": "u", "URL": "ftp://example.com"])
        #expect(formError(driver.state)?.hasPrefix("URL: 'ftp://example.com' is not an absolute http or https URL") == true)
        #expect(try f.store.upstreams().isEmpty)
    }

    @Test("the command-line splitter keeps quoted words together and never interprets shell syntax")
    func splitCommandLine() throws {
        #expect(
            try UpstreamRules.splitCommandLine(#"npx -y "@scope/pkg name" --flag='a b' x\ y $HOME;rm"#) == [
                "npx", "-y", "@scope/pkg name", "--flag=a b", "x y", "$HOME;rm",
            ])
        #expect(try UpstreamRules.splitCommandLine(#"a "" '' b"#) == ["a", "", "", "b"])
        #expect(try UpstreamRules.splitCommandLine(#"say "a \"quoted\" word""#) == ["say", #"a "quoted" word"#])
        #expect(throws: GatewayError.self) { try UpstreamRules.splitCommandLine("   ") }
        #expect(throws: GatewayError.self) { try UpstreamRules.splitCommandLine("a\\") }
    }
}
