/// Why the drive link stopped carrying out the control loop's setpoints. Typed, because the
/// cause decides what a technician checks: the drive and its cable, or treadd itself.
public enum DriveOutage: Hashable, Sendable, CustomStringConvertible {
    /// The link could not open the transport (address, port, serial device).
    case cannotConnect(String)
    /// The drive stopped answering: missed polls in a row, or a broken transport.
    case notAnswering(String)
    /// The control loop did not renew its run setpoint in time: treadd's own loop stalled (or
    /// the whole process was frozen), not the drive. The link stopped the drive itself.
    case setpointExpired(lifetime: Duration)

    public var description: String {
        switch self {
        case .cannotConnect(let why): return "motor drive not reachable: \(why)"
        case .notAnswering(let why): return "motor drive not answering: \(why)"
        case .setpointExpired(let lifetime):
            return "treadd's control loop did not renew the drive's setpoint for more than \(Int((lifetime.inSeconds * 1000).rounded())) ms (treadd stalled or was frozen), so the drive link stopped the belt; this is treadd's fault, not the drive's"
        }
    }
}
