import Foundation
import GatewayEngine
import Store

/// Runs the console without a terminal: holds the ``ConsoleState``, feeds it events, executes the effects it returns
/// (through ``ConsoleEffectExecutor`` and ``ConsoleEditSession``), samples data with ``ConsoleDataSampler`` and renders
/// with ``ConsoleRenderer``. ``ConsoleService`` drives one of these from the terminal; tests drive one directly.
///
/// ```swift
/// let driver = ConsoleDriver(state: ConsoleState(), sampler: sampler, executor: executor, editSession: edits)
/// await driver.refresh()
/// await driver.send(.key(.char("d")))   // load the demo
/// print(driver.screen.text)
/// ```
@MainActor
public final class ConsoleDriver {
    /// The current state.
    public private(set) var state: ConsoleState
    public let sampler: ConsoleDataSampler
    public let executor: ConsoleEffectExecutor
    public let editSession: ConsoleEditSession
    /// Opens an editor on a file and returns when it exits. By default it fails: a headless console has no editor.
    public var editFile: (String) async throws -> Void = { _ in throw TerminalError(.editorFailed, "no editor without a terminal") }
    /// Run mutating effects in background tasks so the UI stays responsive (the terminal service does); when false
    /// (the default, for tests) ``send(_:)`` returns after every effect finished.
    public var runsEffectsInBackground = false
    /// Called after a background effect finished and its outcome was handled, with whether quitting was requested.
    public var onBackgroundChange: ((_ quit: Bool) -> Void)?
    /// Puts text on the terminal's clipboard (OSC 52); tests record what would be copied.
    public var copy: ((String) -> Void)?
    /// Whether a `.quit` effect was seen.
    public private(set) var quitRequested = false
    private var background: [UUID: Task<Void, Never>] = [:]

    public init(state: ConsoleState, sampler: ConsoleDataSampler, executor: ConsoleEffectExecutor, editSession: ConsoleEditSession) {
        self.state = state
        self.sampler = sampler
        self.executor = executor
        self.editSession = editSession
    }

    /// The current screen.
    public var screen: CellBuffer { ConsoleRenderer.render(state) }

    /// Feeds one event and executes the resulting effects.
    /// - Returns: whether the console should quit.
    @discardableResult
    public func send(_ event: ConsoleEvent) async -> Bool {
        let effects = state.handle(event)
        await perform(effects)
        return quitRequested
    }

    /// Samples data (off the main actor) and feeds it to the state.
    /// - Returns: whether the console should quit.
    @discardableResult
    public func refresh() async -> Bool {
        let data = await sampler.sampleDetached()
        return await send(.data(data))
    }

    /// Waits until every background effect finished (for tests).
    public func waitForIdle() async {
        while let task = background.values.first {
            await task.value
        }
    }

    func perform(_ effects: [ConsoleEffect]) async {
        for effect in effects {
            switch effect {
            case .quit:
                quitRequested = true
            case .refresh:
                await refresh()
            case .copy(let text):
                copy?(text)
            case .edit(let target):
                let outcome: EffectOutcome
                if executor.readOnly {
                    outcome = EffectOutcome(succeeded: false, message: "read-only: changes are disabled (started with --read-only)")
                } else {
                    outcome = await editSession.run(target, edit: editFile)
                    if outcome.message != "no changes" { executor.report(outcome.succeeded ? .info : .warning, "console: \(outcome.message)") }
                }
                await finish(outcome)
            default:
                if runsEffectsInBackground {
                    let id = UUID()
                    let executor = self.executor
                    background[id] = Task {
                        let outcome = await executor.execute(effect)
                        if let outcome { await self.finish(outcome) }
                        self.background[id] = nil
                        self.onBackgroundChange?(self.quitRequested)
                    }
                } else if let outcome = await executor.execute(effect) {
                    await finish(outcome)
                }
            }
        }
    }

    /// Reports an outcome to the state, then re-samples so the change shows at once.
    private func finish(_ outcome: EffectOutcome) async {
        await perform(state.handle(.effectFinished(outcome)))
        await refresh()
    }
}
