import TreadCore
import TreadHardware

/// The daemon's configuration (treadd.toml), with relative paths already resolved against
/// the config file's folder.
public struct DaemonConfig: Sendable {
    public enum InputSourceKind: String, Sendable { case simulated, gpio }

    public var file: String
    public var socketPath: String
    /// The group given the control socket (mode 0660), so members of it can run treadctl.
    /// Nil or a group that does not exist on this machine: the socket keeps the daemon's group.
    public var socketGroup: String? = "treadmill"
    public var programsDirectory: String
    public var controlHz: Double
    public var profilePath: String
    public var profile: DriveProfile
    public var modbus: ModbusSettings
    public var pollInterval: Duration
    /// Consecutive failed polls that make the drive offline (a latched fault).
    public var missedPolls: Int
    /// How long the drive thread keeps a run setpoint the control loop has not renewed; after
    /// that it stops the drive itself (a stalled loop must not leave the belt running).
    public var setpointLifetime: Duration = .milliseconds(300)
    /// SCHED_FIFO priority of the drive thread (the input thread one above); nil: normal.
    public var realtime: RealtimePriority? = nil
    public var calibration: BeltCalibration
    public var limits: MachineLimits
    public var railRule: Interlock.RailRule
    public var inputs: InputSourceKind
    public var initialInputs: SafetyInputs
    /// The GPIO wiring; present exactly when `inputs == .gpio`.
    public var io: IOConfig?
    /// Simulated machines may declare a front-zone sensor to try it out.
    public var simulatedFrontZone: Bool = false
    /// Where Prometheus scrapes `/metrics`; nil (the default) serves no metrics.
    public var metrics: MetricsEndpoint? = nil
    /// The workout history database ([history] path); nil keeps no history.
    public var historyPath: String? = nil
    /// Records the history writer may hold before it drops new ones (counted, never blocking).
    public var historyQueue: Int = 4096
    /// treadsync's folder of members' fleet summaries ([history] fleet_members), counted in the
    /// +10% check; nil counts this machine's sessions only (docs/fleet.md).
    public var fleetMembersPath: String? = nil
    /// How often `progress` goes to subscribers (besides on every state change). Not in the
    /// TOML: five a second is what a display needs; the subscriber benchmark raises it.
    public var progressInterval: Duration = .milliseconds(200)

    /// The lines the machine reads.
    public var inputLines: Set<InputLine> {
        if let io { return Set(io.inputs.keys) }
        return Set(IOConfig.requiredInputs + (simulatedFrontZone ? [.frontZone] : []))
    }

    public var chatter: InputMonitor.ChatterLimit { io?.chatter ?? .init() }

    public var controlPeriod: Duration { .fractionalSeconds(1 / controlHz) }
}

extension DaemonConfig {
    /// The oldest drive report the core acts on. A healthy drive thread publishes once a poll
    /// interval; a failing one declares the drive offline after `missedPolls` cycles, each of
    /// which may take the poll interval plus one response time-out per transaction (the
    /// command write and every status read). A report older than that can only come from a
    /// thread stuck in a call or a sleep: the bound is that worst cycle count, plus one poll.
    public var feedbackBound: Duration {
        let reads = profile.singleRegisterReads ? profile.statusRegisters.count : 1
        let cycle = pollInterval + modbus.responseTimeout * (reads + 1)
        return cycle * missedPolls + pollInterval
    }
}
