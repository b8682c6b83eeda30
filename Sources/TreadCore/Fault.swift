/// A latched fault: the belt is stopped and drive-enable is off until an explicit reset, which
/// is refused while the cause persists.
public enum Fault: Hashable, Sendable, CustomStringConvertible {
    case estopOpen
    case safetyKeyPulled
    case driveOffline(String)
    case driveTrip(DriveTrip)
    case wrongDirection(commanded: Direction, reported: Direction)
    /// Stop was commanded but the belt kept moving past the time a controlled stop takes.
    case driveNotStopping(Speed)
    /// A safety input cannot be trusted (chatter, unreadable line, chip gone).
    case sensor(SensorFault)

    /// A stable identifier for the socket API and logs.
    public var code: String {
        switch self {
        case .estopOpen: return "estop"
        case .safetyKeyPulled: return "safety_key"
        case .driveOffline: return "drive_offline"
        case .driveTrip: return "drive_fault"
        case .wrongDirection: return "wrong_direction"
        case .driveNotStopping: return "drive_not_stopping"
        case .sensor: return "sensor"
        }
    }

    public var description: String {
        switch self {
        case .estopOpen: return "emergency stop pressed: release it, then reset"
        case .safetyKeyPulled: return "safety key pulled: put the key back, then reset"
        case .driveOffline(let why): return "motor drive not answering: \(why)"
        case .driveTrip(let t): return "motor drive fault \(t.code): \(t.message)"
        case .wrongDirection(let c, let r):
            return "motor drive reports \(r.rawValue) while \(c.rawValue) was commanded"
        case .driveNotStopping(let s):
            return "the belt is still moving at \(s) although stop was commanded; check the drive and its wiring"
        case .sensor(let f): return f.description
        }
    }
}
