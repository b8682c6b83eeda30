import Prometheus
import TreadCore
import TreadHardware
import TreadProtocol

/// The daemon's Prometheus metrics. Events are counted on the event loop (the control loop
/// only hands the message over), gauges and the Modbus counters are read when Prometheus
/// scrapes, and poll latency is recorded by the drive thread into a histogram. Nothing here
/// runs on the control loop's thread.
final class DaemonMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let states: [TreadmillState: Gauge]
    private let beltSpeed: Gauge
    private let targetSpeed: Gauge
    private let reverse: Gauge
    private let driveOnline: Gauge
    private let enable: Gauge
    private let railReleases: Counter
    private let sessions: [String: Counter]
    private let transactions: Counter
    private let errors: Counter
    private let reconnects: Counter
    private let logDropped: Counter
    private let pollLatency: DurationHistogram
    /// The machine's health counters since installation (persisted across restarts, so a
    /// gauge: a counter that resumed at its old value would read as a reset to Prometheus).
    private let beltMetres: Gauge
    private let reverseMetres: Gauge
    private let runningSeconds: Gauge
    private let directionChanges: Gauge
    private let railReleasesLifetime: Gauge
    private let commErrorsLifetime: Gauge
    /// The drive link's and log writer's totals at the previous scrape: Prometheus counters
    /// only go up, so the difference is added.
    private let seen = Locked<(drive: DriveLink.Stats, logDropped: Int)>((DriveLink.Stats(), 0))

    /// The event kinds counted as sessions, by outcome.
    static let sessionEvents: [EventName: String] = [.sessionStarted: "started", .sessionFinished: "finished", .sessionStopped: "stopped"]

    init() {
        let r = registry
        let all: [TreadmillState] = [.idle, .running, .paused, .stopping, .fault]
        states = Dictionary(uniqueKeysWithValues: all.map {
            ($0, r.makeGauge(name: "treadd_state", labels: [("state", $0.rawValue)], help: "1 for the treadmill's current state, 0 for the others"))
        })
        beltSpeed = r.makeGauge(name: "treadd_belt_speed_kmh", help: "Belt speed reported by the drive, km/h (unsigned)")
        targetSpeed = r.makeGauge(name: "treadd_target_speed_kmh", help: "Speed of the current segment, km/h")
        reverse = r.makeGauge(name: "treadd_belt_reverse", help: "1 while the belt moves in reverse")
        driveOnline = r.makeGauge(name: "treadd_drive_online", help: "1 while the motor drive answers")
        enable = r.makeGauge(name: "treadd_drive_enable", help: "1 while the drive-enable relay is energised")
        for code in ["estop", "safety_key", "drive_offline", "drive_fault", "wrong_direction", "drive_not_stopping", "sensor", "control_stalled"] {
            _ = r.makeCounter(name: "treadd_faults_total", labels: [("reason", code)], help: "Latched faults, by reason")
        }
        railReleases = r.makeCounter(name: "treadd_rail_releases_total", help: "Rail releases during reverse (warnings)")
        sessions = Dictionary(uniqueKeysWithValues: Self.sessionEvents.values.map {
            ($0, r.makeCounter(name: "treadd_sessions_total", labels: [("outcome", $0)], help: "Sessions started, finished and stopped"))
        })
        transactions = r.makeCounter(name: "treadd_modbus_transactions_total", help: "Modbus status polls answered")
        errors = r.makeCounter(name: "treadd_modbus_errors_total", help: "Modbus transactions that failed")
        reconnects = r.makeCounter(name: "treadd_modbus_reconnects_total", help: "Failed attempts to connect to the drive")
        logDropped = r.makeCounter(name: "treadd_log_lines_dropped_total", help: "Log lines dropped because the journal writer fell behind")
        beltMetres = r.makeGauge(name: "treadd_odometer_belt_metres", help: "Belt distance since installation, both directions (persisted)")
        reverseMetres = r.makeGauge(name: "treadd_odometer_reverse_metres", help: "Belt distance backwards since installation (persisted)")
        runningSeconds = r.makeGauge(name: "treadd_odometer_running_seconds", help: "Time the belt moved since installation (persisted)")
        directionChanges = r.makeGauge(name: "treadd_odometer_direction_changes", help: "Changes of belt direction since installation (persisted)")
        railReleasesLifetime = r.makeGauge(name: "treadd_odometer_rail_releases", help: "Rail releases since installation (persisted)")
        commErrorsLifetime = r.makeGauge(name: "treadd_odometer_drive_comm_errors", help: "Failed drive transactions since installation (persisted)")
        pollLatency = r.makeDurationHistogram(
            name: "treadd_modbus_poll_seconds",
            buckets: [.milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50),
                      .milliseconds(100), .milliseconds(200), .milliseconds(500), .seconds(1)],
            help: "Time for one Modbus status poll")
    }

    /// Counts an event the control loop published. Runs on the event loop.
    func observe(_ message: ServerMessage) {
        guard let event = message.event else { return }
        if event == .fault, let code = message.status?.fault?.code {
            registry.makeCounter(name: "treadd_faults_total", labels: [("reason", code)], help: "Latched faults, by reason").increment()
        } else if event == .railWarning {
            railReleases.increment()
        } else if let outcome = Self.sessionEvents[event] {
            sessions[outcome]?.increment()
        }
    }

    /// Called by the drive thread after each status poll.
    func recordPoll(_ d: Duration) { pollLatency.record(d) }

    /// Filled by the drive thread without a lock; drained into the histogram at each render.
    let pollTimes = PollTimes()

    /// Updates the gauges and mirrored counters, then renders the text format. Runs on the
    /// event loop when Prometheus scrapes.
    func render(status: Status, drive: DriveLink.Stats, machine: MachineCounters) -> [UInt8] {
        for d in pollTimes.drain() { recordPoll(d) }
        beltMetres.set(to: machine.beltM)
        reverseMetres.set(to: machine.reverseM)
        runningSeconds.set(to: machine.runningS)
        directionChanges.set(to: Double(machine.directionChanges))
        railReleasesLifetime.set(to: Double(machine.railReleases))
        commErrorsLifetime.set(to: Double(machine.driveCommErrors))
        for (reason, n) in machine.faults {
            registry.makeGauge(name: "treadd_odometer_faults", labels: [("reason", reason)],
                               help: "Latched faults since installation, by reason (persisted)").set(to: Double(n))
        }
        for (state, gauge) in states { gauge.set(to: state.rawValue == status.state ? 1.0 : 0.0) }
        beltSpeed.set(to: status.beltSpeedKmh ?? .nan)
        targetSpeed.set(to: status.targetSpeedKmh)
        reverse.set(to: status.direction == "reverse" ? 1.0 : 0.0)
        driveOnline.set(to: status.drive == "online" ? 1.0 : 0.0)
        enable.set(to: status.enable.map { $0 ? 1.0 : 0.0 } ?? .nan)
        let dropped = LogDrops.total
        let before = seen.withLock { old in
            defer { old = (drive, dropped) }
            return old
        }
        transactions.increment(by: Int64(max(0, drive.transactions - before.drive.transactions)))
        errors.increment(by: Int64(max(0, drive.errors - before.drive.errors)))
        reconnects.increment(by: Int64(max(0, drive.reconnects - before.drive.reconnects)))
        logDropped.increment(by: Int64(max(0, dropped - before.logDropped)))
        return registry.emitToBuffer()
    }
}
