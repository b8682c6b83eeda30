/// A latched fault: the belt is stopped and drive-enable is off until an explicit reset, which
/// is refused while the cause persists.
public enum Fault: Hashable, Sendable, CustomStringConvertible {
    case estopOpen
    case safetyKeyPulled
    case driveOffline(DriveOutage)
    /// The control loop stopped renewing its setpoint and the drive link stopped the belt:
    /// treadd's own loop stalled (or the whole process was frozen).
    case controlLoopStalled(lifetime: Duration)
    case driveTrip(DriveTrip)
    case wrongDirection(commanded: Direction, reported: Direction)
    /// Stop was commanded but the belt kept moving past the time a controlled stop takes.
    case driveNotStopping(Speed)
    /// A safety input cannot be trusted (chatter, unreadable line, chip gone).
    case sensor(SensorFault)
    /// The drive reports a belt speed above the direction's limit plus the margin.
    case overspeed(Direction, reported: Speed, limit: Speed)
    /// The reported speed stayed far from the reference: a wrong scale, or a drive whose
    /// speed reference is not the bus (its keypad, an analogue input).
    case speedTracking(commanded: Speed, reported: Speed)
    /// Standstill had been verified and nothing was commanded, yet the drive reports motion.
    case beltMovingAtStandstill(Speed)
    /// The last drive report is older than its bound: the drive thread is stuck or the bus
    /// froze. Never shown as a speed.
    case driveFeedbackStale(age: Duration?)
    /// The drive-enable output could not be written; its state is unknown.
    case enableOutput(String)

    /// A stable identifier for the socket API and logs.
    public var code: String {
        switch self {
        case .estopOpen: return "estop"
        case .safetyKeyPulled: return "safety_key"
        case .driveOffline: return "drive_offline"
        case .controlLoopStalled: return "control_stalled"
        case .driveTrip: return "drive_fault"
        case .wrongDirection: return "wrong_direction"
        case .driveNotStopping: return "drive_not_stopping"
        case .sensor: return "sensor"
        case .overspeed: return "overspeed"
        case .speedTracking: return "speed_tracking"
        case .beltMovingAtStandstill: return "belt_moving"
        case .driveFeedbackStale: return "drive_stale"
        case .enableOutput: return "enable_output"
        }
    }

    public var description: String {
        switch self {
        case .estopOpen: return "emergency stop pressed: release it, then reset"
        case .safetyKeyPulled: return "safety key pulled: put the key back, then reset"
        case .driveOffline(let outage): return outage.description
        case .controlLoopStalled(let lifetime): return DriveOutage.setpointExpired(lifetime: lifetime).description + "; if it recurs, collect `journalctl -u treadd`"
        case .driveTrip(let t): return "motor drive fault \(t.code): \(t.message)"
        case .wrongDirection(let c, let r):
            return "motor drive reports \(r.rawValue) while \(c.rawValue) was commanded"
        case .driveNotStopping(let s):
            return "the belt is still moving at \(s) although stop was commanded; check the drive and its wiring"
        case .sensor(let f): return f.description
        case .overspeed(let d, let r, let l):
            return "the drive reports the belt at \(r) \(d.rawValue), above the limit of \(l): check the drive profile's scaling and the drive's speed reference source"
        case .speedTracking(let c, let r):
            return "the drive reports the belt at \(r) while \(c) was commanded: check that the drive takes its speed reference from the bus, and the belt calibration"
        case .beltMovingAtStandstill(let s):
            return "the drive reports the belt moving at \(s) although it was stopped and nothing was commanded; check the drive"
        case .driveFeedbackStale(let age?):
            return "the motor drive's last report is \(Int((age.inSeconds * 1000).rounded())) ms old: the drive link is stuck, so the belt speed is unknown"
        case .driveFeedbackStale(nil):
            return "the motor drive's report carries no time, so the belt speed is unknown"
        case .enableOutput(let why):
            return "the drive-enable output could not be written (\(why)); its state is unknown: check the GPIO wiring, then reset"
        }
    }
}

extension Fault {
    /// The fault an outage of the drive link is: the drive's, or the control loop's own.
    public init(_ outage: DriveOutage) {
        switch outage {
        case .cannotConnect, .notAnswering: self = .driveOffline(outage)
        case .setpointExpired(let lifetime): self = .controlLoopStalled(lifetime: lifetime)
        }
    }
}
