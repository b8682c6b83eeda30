import Foundation
import Logging
import Synchronization
import TreadCore
import TreadHardware
import TreadProtocol
import TreadTraining

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

    /// The daemon's life as status shows it. Once `stopping`, every control request is
    /// refused; the inputs are still read and acted on until the belt is verified stopped.
    public enum Lifecycle: Int, Sendable {
        case starting, ready, stopping, stopped
        var name: String {
            switch self {
            case .starting: return "starting"
            case .ready: return "ready"
            case .stopping: return "stopping"
            case .stopped: return "stopped"
            }
        }
    }

    private var treadmill: Treadmill
    private let safety: SafetyMonitor
    private let gate: SafetyGate
    private let enable: EnableOutput
    private let warning: EnableOutput?
    /// The charge-pump line: toggled each tick while torque is allowed and every safety
    /// thread ticks; held low otherwise, so the external pump lets the relay drop.
    private let enableWatchdog: EnableOutput?
    private var pulseLevel = false
    /// A failed pulse write, handed to the next tick as an enable failure.
    private var pulseFailure: String?
    private let drive: DriveLink
    /// The input source, for its heartbeat: a source whose thread stops ticking has every
    /// line counted lost.
    private let inputSource: SafetyInputSource?
    private let period: Duration
    private let logger: Logger
    private let cond = PriorityInheritingCondition()
    /// The ticks' time and the waits between them (the monotonic clock in treadd).
    private let clock: any ThreadClock
    // Guarded by `cond`.
    private var queue: [(Command, Reply)] = []
    private var stopping = false
    /// The shutdown's own stop is let through; every later control request is refused.
    private var stopRequestedByShutdown = false
    private var finished = false
    private var woken = false
    /// Input events to publish with the next tick (queued by the input thread).
    private var inputEvents: [InputEvent] = []
    private let latest: Locked<Status>
    /// The sink in a struct, not as a bare closure: `Locked<closure?>.withLock { $0 }` writes the
    /// closure back re-abstracted, one more thunk pair on every call, so each tick's call went
    /// deeper until the control thread's stack overflowed (about 3 minutes at 25 Hz).
    private struct Sink: Sendable { let send: @Sendable (ServerMessage) -> Void }
    private let publishSink: Locked<Sink?> = Locked(nil)
    private let ticks = Atomic<Int>(0)
    /// When the loop last began a tick (monotonic ns): its heartbeat.
    private let lastTickNanos = Atomic<Int64>(0)
    private let lifecycleValue = Atomic<Int>(Lifecycle.starting.rawValue)
    /// Set on the control thread once the input source's heartbeat was found stale and its
    /// lines reported lost; cleared when it ticks again.
    private var inputsDeclaredLost = false
    /// The belt's distance, hours, direction changes, rail releases and faults counted by this
    /// run (control thread only), and its copy for status readers.
    private var odometer = Odometer()
    private var odometerAt: Instant?
    private let odometerSnapshot = Locked(Odometer())
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

    /// An input thread that has not ticked for this long has every line counted lost (its
    /// poll wakes at least every 500 ms).
    public static let inputHeartbeatBound = Duration.milliseconds(1500)

    public init(treadmill: Treadmill, safety: SafetyMonitor, gate: SafetyGate, enable: EnableOutput, warning: EnableOutput? = nil,
                enableWatchdog: EnableOutput? = nil, drive: DriveLink, inputs: SafetyInputSource? = nil, period: Duration, progressInterval: Duration = .milliseconds(200),
                logger: Logger, clock: any ThreadClock = MonotonicThreadClock()) {
        self.inputSource = inputs
        self.enableWatchdog = enableWatchdog
        self.progressInterval = progressInterval
        self.treadmill = treadmill
        self.safety = safety
        self.gate = gate
        self.enable = enable
        self.warning = warning
        self.drive = drive
        self.period = period
        self.logger = logger
        self.clock = clock
        self.latest = Locked(treadmill.statusSnapshot(enable: false, at: clock.now()))
    }

    /// Where events and progress go (the socket server's broadcaster). Must not block.
    public func onPublish(_ sink: @escaping @Sendable (ServerMessage) -> Void) {
        publishSink.withLock { $0 = Sink(send: sink) }
    }

    public var status: Status { latest.withLock { $0 } }

    public var tickCount: Int { ticks.load(ordering: .relaxed) }

    /// When the loop last began a tick; nil before the first.
    public var heartbeat: Instant? {
        let n = lastTickNanos.load(ordering: .relaxed)
        return n == 0 ? nil : Instant(nanoseconds: n)
    }

    public var lifecycle: Lifecycle { Lifecycle(rawValue: lifecycleValue.load(ordering: .acquiring)) ?? .stopped }

    /// Set by the daemon as it starts and stops.
    public func setLifecycle(_ l: Lifecycle) { lifecycleValue.store(l.rawValue, ordering: .releasing) }

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
        recorder = HistoryRecorder(writer: writer, liveCounters: { [unowned self] in liveCounters })
    }

    /// The counters this run has counted, from zero at start-up.
    private var liveCounters: MachineCounters {
        MachineCounters(odometerSnapshot.withLock { $0 }, driveCommErrors: drive.currentStats.errors)
    }

    /// The machine's health counters since it was installed: what the history had persisted
    /// plus this run's. `persisted` is false while there is no history to add them to (none
    /// kept, or not opened yet): then the figures are this run's alone.
    public var machineCounters: (counters: MachineCounters, persisted: Bool) {
        let live = liveCounters
        guard let store = history?.store else { return (live, false) }
        return (store.persistedCounters + live, true)
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

    /// Runs the next tick now and publishes `event` with it. Called on the input thread:
    /// it takes only this loop's priority-inheriting lock, never the event loop's queue.
    public func wake(with event: InputEvent) {
        cond.lock()
        if inputEvents.count < 256 { inputEvents.append(event) }
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

    /// Refuses control requests from now on, brings the belt to a controlled stop (if a
    /// session runs) and waits, up to `timeout`, until it is verified stopped: the core idle
    /// or faulted with standstill reported, or the drive unreachable (its comm-loss time-out
    /// and the de-energised relay stop it). The loop goes on ticking meanwhile, so an e-stop
    /// or a rail let go during the ramp is still acted on. Then the loop ends with enable off
    /// and a stop posted to the drive.
    public func shutdown(timeout: Duration = .seconds(15)) {
        setLifecycle(.stopping)
        cond.lock()
        queue.append((.stop, { _ in }))
        stopRequestedByShutdown = true
        cond.signal()
        cond.unlock()
        let deadline = MonotonicClock.now() + timeout
        cond.lock()
        while !finished, MonotonicClock.now() < deadline {
            if latest.withLock({ Self.verifiedStopped($0) }) { break }
            cond.wait(timeout: .milliseconds(20))
        }
        stopping = true
        cond.broadcast()
        while !finished { cond.wait(timeout: .milliseconds(50)) }
        cond.unlock()
    }

    /// The belt is verified stopped: no session moves it, and the drive reports standstill
    /// (or cannot be reached, when its own time-out and the relay have stopped it).
    static func verifiedStopped(_ s: Status) -> Bool {
        guard s.state == TreadmillState.idle.rawValue || s.state == TreadmillState.fault.rawValue else { return false }
        return s.phase == "stopped" || s.drive != "online"
    }

    private func run() {
        var schedule = TickSchedule(period: period, from: clock.now())
        var lastProgress = Instant.zero
        var lastState = ""
        while true {
            cond.lock()
            let pending = queue
            queue.removeAll()
            let quit = stopping
            let wasWoken = woken
            woken = false
            let edges = inputEvents
            inputEvents.removeAll()
            cond.unlock()
            if quit { break }

            let now = clock.now()
            lastTickNanos.store(now.nanoseconds, ordering: .relaxed)
            if !wasWoken, pending.isEmpty { lateness.withLock { $0.record(now - schedule.due) } }
            superviseInputSource(at: now)
            // One reading per tick, taken before requests so they judge the latest inputs.
            let (take, trips) = safety.take(at: now)
            let tick = Tick(inputs: take.inputs, drive: drive.currentReading, trips: take.trips, enableFailure: gate.takeOutputFailure() ?? takePulseFailure())
            let refusing = lifecycle == .stopping || lifecycle == .stopped
            var accepted: [(command: Command, reply: Reply)] = []
            for (command, reply) in pending {
                if refusing && !isShutdownStop(command) { reply(.failure(.shuttingDown)) } else { accepted.append((command, reply)) }
            }
            let handled = treadmill.handle(.tick(tick, requests: accepted.map { Self.request($0.command) }), at: now)
            for (a, result) in zip(accepted, handled.replies) {
                if case .success = result, case .startSession(_, let context) = a.command { recorder?.willStart(warnings: context.warnings) }
                a.reply(result)
            }
            // A tick always commands; only a lone request (which this loop never sends) does not.
            let commands = handled.commands ?? Commands(enable: false, drive: .stop, resetDriveFault: false, events: [])
            odometer.add(speed: treadmill.beltSpeed, direction: treadmill.beltDirection, standstill: treadmill.limits.standstill,
                         over: odometerAt.map { now - $0 } ?? .zero)
            odometerAt = now
            odometer.count(commands.events)
            let counted = odometer
            odometerSnapshot.withLock { $0 = counted }
            recorder?.observe(commands.events, treadmill)
            gate.apply(commands, latched: treadmill.state == .fault, seen: trips)
            try? warning?.set(treadmill.interlock.releasedSince != nil)
            pulseEnableWatchdog(commands, at: now)
            ticks.add(1, ordering: .relaxed)

            let relay = enable.relayState
            var status = treadmill.statusSnapshot(enable: relay == .unknown ? nil : relay == .energised, at: now)
            status.hold = gate.hold.map { .init(code: $0.code, message: $0.description) }
            status.lifecycle = lifecycle.name
            if let h = history?.health {
                status.history = Status.HistoryInfo(state: h.state, path: h.path, error: h.error, pending: h.pending, dropped: h.dropped)
            }
            latest.withLock { $0 = status }
            let sink = publishSink.withLock { $0 }?.send
            for e in edges { sink?(ServerMessage(event: .input, message: e.message, status: status)) }
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

            waitUntil(schedule.ticked(at: now))
            if stallRequested.load(ordering: .relaxed) { holdWhileStalled() }
        }
        if let failure = gate.deenergise() { logger.critical("drive enable could not be de-energised at shutdown: \(failure)") }
        try? warning?.set(false)
        try? enableWatchdog?.set(false)
        cond.lock()
        finished = true
        cond.broadcast()
        cond.unlock()
    }

    private static func request(_ command: Command) -> Treadmill.Request {
        switch command {
        case .start(let p): return .start(p, member: nil)
        case .startSession(let p, let context): return .start(p, member: context.member)
        case .adjust(let a): return .adjust(a)
        case .stop: return .stop
        case .pause: return .pause
        case .resume: return .resume
        case .reset: return .reset
        }
    }

    /// The stop the shutdown itself queued (the first stop after `stopping`); consumed once.
    private func isShutdownStop(_ command: Command) -> Bool {
        guard case .stop = command else { return false }
        cond.lock(); defer { cond.unlock() }
        defer { stopRequestedByShutdown = false }
        return stopRequestedByShutdown
    }

    /// One edge of the charge-pump line per tick while the relay is energised, no hold is on,
    /// and the drive and input threads tick; otherwise low. The pump needs edges: a line
    /// stuck high (a hung process) drops torque as surely as one stuck low.
    private func pulseEnableWatchdog(_ commands: Commands, at now: Instant) {
        guard let enableWatchdog else { return }
        let driveAlive = now - drive.heartbeat <= treadmill.feedbackBound
        let inputsAlive = inputSource?.heartbeat.map { now - $0 <= Self.inputHeartbeatBound } ?? true
        let allowed = commands.enable && enable.relayState == .energised && gate.hold == nil && driveAlive && inputsAlive
        pulseLevel = allowed ? !pulseLevel : false
        do throws(OutputError) { try enableWatchdog.set(pulseLevel) } catch {
            if pulseFailure == nil { pulseFailure = "enable watchdog: \(error)" }
        }
    }

    private func takePulseFailure() -> String? {
        defer { pulseFailure = nil }
        return pulseFailure
    }

    /// A source whose thread stopped ticking has every line reported lost, once; the
    /// monitor trips the gate on the first and the core latches a sensor fault.
    private func superviseInputSource(at now: Instant) {
        guard let source = inputSource, let beat = source.heartbeat else { return }
        let age = now - beat
        if age > Self.inputHeartbeatBound {
            guard !inputsDeclaredLost else { return }
            inputsDeclaredLost = true
            logger.critical("input thread stopped ticking: every safety input counts as lost", metadata: ["last_tick_ms": "\(Int(age.inSeconds * 1000))"])
            safety.loseAll(reason: "the input thread has not ticked for \(Int(age.inSeconds * 1000)) ms", at: now)
        } else if inputsDeclaredLost {
            inputsDeclaredLost = false
            logger.notice("input thread ticking again; the lost lines stay lost until they are read again")
        }
    }

    private func logEvent(_ e: TreadEvent) {
        switch e {
        case .faultLatched: logger.error("\(e.message)", metadata: ["event": "\(e.kind)"])
        case .railWarning, .paused: logger.warning("\(e.message)", metadata: ["event": "\(e.kind)"])
        case .sessionStarted, .segmentStarted, .directionChangeAnnounced, .waitingForRails, .railWarningCleared, .resumed,
             .sessionFinished, .sessionStopped, .faultCleared, .sessionAdjusted:
            logger.info("\(e.message)", metadata: ["event": "\(e.kind)"])
        }
    }

    private func holdWhileStalled() {
        cond.lock()
        stallHeld.store(true, ordering: .relaxed)
        while stallRequested.load(ordering: .relaxed), !stopping {
            cond.wait(timeout: .milliseconds(50))
        }
        stallHeld.store(false, ordering: .relaxed)
        cond.unlock()
    }

    /// Sleeps until the next tick or until a request arrives, whichever is first.
    private func waitUntil(_ deadline: Instant) {
        cond.lock()
        defer { cond.unlock() }
        while queue.isEmpty, !stopping, !woken {
            if clock.now() >= deadline { return }
            clock.wait(on: cond, until: deadline)
        }
    }
}
