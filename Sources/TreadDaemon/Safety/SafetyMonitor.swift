import TreadCore
import TreadHardware

/// The safety thread's side of the inputs. Every input event arrives here on the source's
/// thread (the GPIO thread, or the caller of `sim.set`); a hard stop trips the gate in the
/// same call, before anything is published. The control loop takes sticky readings, and
/// every trip since its last take, once per tick.
///
/// Nothing here waits on a socket client, the logger or the disk: the notify callback must
/// not block (it posts to the event loop and wakes the control loop).
public final class SafetyMonitor: @unchecked Sendable {
    public typealias Notify = @Sendable (InputEvent, InputMonitor.Reflex) -> Void

    private let state: Locked<InputMonitor>
    private let gate: SafetyGate
    /// In a struct, not a bare closure: `Locked<closure?>.withLock { $0 }` re-abstracts the
    /// stored closure on every call (a thunk pair per edge, each call deeper than the last).
    private struct Listener: Sendable { let notify: Notify }
    private let notify: Locked<Listener?> = Locked(nil)
    public let lines: Set<InputLine>

    public init(lines: Set<InputLine>, chatter: InputMonitor.ChatterLimit, gate: SafetyGate) {
        state = Locked(InputMonitor(lines: lines, chatter: chatter))
        self.gate = gate
        self.lines = lines
    }

    /// Where events go after the reaction (publishing, waking the control loop).
    public func onEvent(_ n: @escaping Notify) { notify.withLock { $0 = Listener(notify: n) } }

    /// The reaction path: (a) enable off and (b) a priority stop, inside `gate.trip()`, then
    /// (c) the event handed on.
    public func handle(_ event: InputEvent) {
        let reflex = state.withLock { m in
            let r = m.receive(event)
            if case .trip(let f) = r { gate.trip(f) }
            return r
        }
        notify.withLock { $0 }?.notify(event, reflex)
    }

    /// Every line this monitor reads, reported lost: what a source whose thread died or
    /// stopped ticking leaves behind.
    public func loseAll(reason: String, at now: Instant) {
        for line in InputLine.allCases where lines.contains(line) { handle(.lost(line, reason: reason, at: now)) }
    }

    /// One tick's readings, the trips since the last take, and the gate's trip count they include.
    func take(at now: Instant) -> (take: InputMonitor.Take, trips: Int) {
        state.withLock { m in (m.take(at: now), gate.trips) }
    }

    /// Current readings, without consuming sticky values.
    public var current: SafetyInputs { state.withLock { $0.peek() } }
}
