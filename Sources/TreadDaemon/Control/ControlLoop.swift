import Foundation
import Logging
import Synchronization
import TreadCore
import TreadHardware
import TreadProtocol

/// The control loop: a dedicated thread that ticks the `Treadmill` core at the configured
/// rate, applies its commands to the enable output and the drive link, and publishes.
///
/// Nothing on this thread waits on a client, the disk or the bus: requests arrive through a
/// queue, replies and events leave through non-blocking callbacks, the drive is reached only
/// by posting a setpoint to `DriveLink`. Hard stops do not wait for a tick: the safety
/// monitor trips the gate on the edge itself; the loop latches the fault on its next tick,
/// which the edge also brings forward.
public final class ControlLoop: @unchecked Sendable {
    public enum Command: Sendable {
        case start(Program)
        /// A start for a member: their body mass for the energy estimate, and the training-load
        /// warnings the history gave (recorded with the session).
        case startSession(Program, SessionContext)
        case adjust(SessionAdjustment)
        case stop, pause, resume, reset
    }

    /// What the daemon knows about a session before it starts, gathered off the control thread.
    public struct SessionContext: Sendable {
        public var member: Member?
        public var warnings: [TrainingLoad.Warning]
        public init(member: Member?, warnings: [TrainingLoad.Warning] = []) { self.member = member; self.warnings = warnings }
    }

    public typealias Reply = @Sendable (Result<Void, RequestError>) -> Void

    private var treadmill: Treadmill
    private let safety: SafetyMonitor
    private let gate: SafetyGate
    private let enable: EnableOutput
    private let warning: EnableOutput?
    private let drive: DriveLink
    private let period: Duration
    private let logger: Logger
    private let cond = NSCondition()
    // Guarded by `cond`.
    private var queue: [(Command, Reply)] = []
    private var stopping = false
    private var finished = false
    private var woken = false
    private let latest: Locked<Status>
    /// The sink in a struct, not as a bare closure: `Locked<closure?>.withLock { $0 }` writes the
    /// closure back re-abstracted, one more thunk pair on every call, so each tick's call went
    /// deeper until the control thread's stack overflowed (about 3 minutes at 25 Hz).
    private struct Sink: Sendable { let send: @Sendable (ServerMessage) -> Void }
    private let publishSink: Locked<Sink?> = Locked(nil)
    private let ticks = Atomic<Int>(0)
    /// Set before `start()`; used only on the control thread afterwards.
    private var recorder: HistoryRecorder?
    private var history: HistoryWriter?
    /// Test-only: while set, the loop holds between ticks as a hung loop would (see `stallForTesting`).
    private let stallRequested = Atomic<Bool>(false)
    private let stallHeld = Atomic<Bool>(false)

    /// Progress is streamed at this interval; state changes and events go out at once.
    private let progressInterval: Duration
    /// How late each recent tick started against its schedule, for the benchmark's jitter.
    private let lateness = Locked(TickLateness())

    public init(treadmill: Treadmill, safety: SafetyMonitor, gate: SafetyGate, enable: EnableOutput, warning: EnableOutput? = nil,
                drive: DriveLink, period: Duration, progressInterval: Duration = .milliseconds(200), logger: Logger) {
        self.progressInterval = progressInterval
        self.treadmill = treadmill
        self.safety = safety
        self.gate = gate
        self.enable = enable
        self.warning = warning
        self.drive = drive
        self.period = period
        self.logger = logger
        self.latest = Locked(treadmill.statusSnapshot(enable: false, at: MonotonicClock.now()))
    }

    /// Where events and progress go (the socket server's broadcaster). Must not block.
    public func onPublish(_ sink: @escaping @Sendable (ServerMessage) -> Void) {
        publishSink.withLock { $0 = Sink(send: sink) }
    }

    public var status: Status { latest.withLock { $0 } }

    public var tickCount: Int { ticks.load(ordering: .relaxed) }

    /// The lateness of the scheduled ticks since the last call (up to the last 16 384):
    /// how long after its planned instant each tick began. Ticks that an input edge brought
    /// forward, or a request, are not counted (they are early by design).
    public func takeTickLateness() -> [Duration] {
        lateness.withLock { $0.take() }
    }

    /// Test-only: holds the loop between two ticks (or lets it go), so a test can watch the
    /// systemd watchdog pings stop. `isStalledForTesting` turns true once the loop is held.
    func stallForTesting(_ on: Bool) {
        stallRequested.store(on, ordering: .relaxed)
        cond.lock(); cond.broadcast(); cond.unlock()
    }

    var isStalledForTesting: Bool { stallHeld.load(ordering: .relaxed) }

    /// Records sessions into `writer` (through a bounded buffer; the loop never waits on it).
    /// Call before `start()`.
    public func attachHistory(_ writer: HistoryWriter) {
        history = writer
        recorder = HistoryRecorder(writer: writer)
    }

    public func submit(_ command: Command, reply: @escaping Reply) {
        cond.lock()
        queue.append((command, reply))
        cond.signal()
        cond.unlock()
    }

    /// Runs the next tick now (an input changed), without waiting for the period.
    public func wake() {
        cond.lock()
        woken = true
        cond.signal()
        cond.unlock()
    }

    public func start() {
        let t = Thread { [self] in run() }
        t.name = "treadd-control"
        t.qualityOfService = .userInteractive
        t.start()
    }

    /// Brings the belt to a controlled stop (if a session runs), waits up to `timeout` for
    /// standstill, then ends the loop with enable off and a stop posted to the drive.
    public func shutdown(timeout: Duration = .seconds(15)) {
        submit(.stop) { _ in }
        let deadline = Date().addingTimeInterval(timeout.inSeconds)
        cond.lock()
        while !finished, Date() < deadline {
            let s = latest.withLock { $0.state }
            if s == TreadmillState.idle.rawValue || s == TreadmillState.fault.rawValue { break }
            _ = cond.wait(until: min(deadline, Date().addingTimeInterval(0.05)))
        }
        stopping = true
        cond.broadcast()
        while !finished { cond.wait() }
        cond.unlock()
    }

    private func run() {
        var nextTick = MonotonicClock.now()
        var lastProgress = Instant.zero
        var lastState = ""
        while true {
            cond.lock()
            let pending = queue
            queue.removeAll()
            let quit = stopping
            let wasWoken = woken
            woken = false
            cond.unlock()
            if quit { break }

            let now = MonotonicClock.now()
            if !wasWoken, pending.isEmpty { lateness.withLock { $0.record(now - nextTick) } }
            // One reading per tick, taken before requests so they judge the latest inputs.
            let (readings, trips) = safety.take(at: now)
            let feedback = drive.currentFeedback
            treadmill.observe(inputs: readings, drive: feedback)
            for (command, reply) in pending { reply(apply(command, at: now)) }
            let commands = treadmill.step(inputs: readings, drive: feedback, at: now)
            recorder?.observe(commands.events, treadmill)
            gate.apply(commands, latched: treadmill.state == .fault, seen: trips)
            warning?.set(treadmill.interlock.releasedSince != nil)
            ticks.add(1, ordering: .relaxed)

            var status = treadmill.statusSnapshot(enable: enable.isEnergised, at: now)
            if let h = history?.health {
                status.history = Status.HistoryInfo(state: h.state, path: h.path, error: h.error, pending: h.pending, dropped: h.dropped)
            }
            latest.withLock { $0 = status }
            let sink = publishSink.withLock { $0 }?.send
            for e in commands.events {
                logEvent(e)
                sink?(ServerMessage(event: EventName(rawValue: e.kind), message: e.message, status: status))
            }
            let progressDue = now - lastProgress >= progressInterval
            if status.state != lastState || progressDue {
                sink?(ServerMessage(event: .progress, status: status))
                // The next one is due an interval after this one was due, not after this tick:
                // otherwise the rate rounds down to whole ticks (10 Hz at 25 Hz ticks gave 8.3).
                lastProgress = progressDue && now - lastProgress < progressInterval * 2 ? lastProgress + progressInterval : now
                lastState = status.state
            }

            // A tick that an input edge or a request brought forward leaves the schedule as it
            // was: advancing it on every early tick let a burst of requests or a chattering
            // input push the next scheduled tick seconds into the future, stalling the loop.
            if now >= nextTick {
                nextTick = nextTick + period
                if nextTick < now { nextTick = now + period }  // late: skip, don't burst
            }
            waitUntil(nextTick)
            if stallRequested.load(ordering: .relaxed) { holdWhileStalled() }
        }
        gate.deenergise()
        warning?.set(false)
        cond.lock()
        finished = true
        cond.broadcast()
        cond.unlock()
    }

    private func apply(_ command: Command, at now: Instant) -> Result<Void, RequestError> {
        do throws(RequestError) {
            switch command {
            case .start(let p): try treadmill.start(p, at: now)
            case .startSession(let p, let context):
                try treadmill.start(p, member: context.member, at: now)
                recorder?.willStart(warnings: context.warnings)
            case .adjust(let a): try treadmill.adjust(a, at: now)
            case .stop: try treadmill.stop(at: now)
            case .pause: try treadmill.pause(at: now)
            case .resume: try treadmill.resume(at: now)
            case .reset: try treadmill.reset(at: now)
            }
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    private func logEvent(_ e: TreadEvent) {
        switch e {
        case .faultLatched: logger.error("\(e.message)", metadata: ["event": "\(e.kind)"])
        case .railWarning, .paused: logger.warning("\(e.message)", metadata: ["event": "\(e.kind)"])
        default: logger.info("\(e.message)", metadata: ["event": "\(e.kind)"])
        }
    }

    private func holdWhileStalled() {
        cond.lock()
        stallHeld.store(true, ordering: .relaxed)
        while stallRequested.load(ordering: .relaxed), !stopping {
            _ = cond.wait(until: Date().addingTimeInterval(0.05))
        }
        stallHeld.store(false, ordering: .relaxed)
        cond.unlock()
    }

    /// Sleeps until the next tick or until a request arrives, whichever is first.
    private func waitUntil(_ deadline: Instant) {
        cond.lock()
        defer { cond.unlock() }
        while queue.isEmpty, !stopping, !woken {
            let left = deadline - MonotonicClock.now()
            if left <= .zero { return }
            // NSCondition takes a wall-clock Date; short slices keep a clock jump harmless.
            _ = cond.wait(until: Date().addingTimeInterval(min(left, .milliseconds(50)).inSeconds))
        }
    }
}
