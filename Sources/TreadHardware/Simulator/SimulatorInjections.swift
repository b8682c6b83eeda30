/// Faults a test (or a technician) injects into the simulated drive's Modbus link at run
/// time, through the control socket.
public struct SimulatorInjections: Hashable, Sendable {
    /// Requests are read and dropped: no answer, and they do not feed the comm-loss watchdog
    /// (a cut cable, a dead drive board).
    public var silent = false
    /// Every answer goes out this many milliseconds late (0 = on time). The request itself
    /// is served when it arrives, so a stop still stops the motor at once.
    public var lateMs = 0
    /// Every request is answered with this Modbus exception and not served; such requests
    /// do not feed the comm-loss watchdog (the drive accepted nothing).
    public var exception: Int? = nil
    /// RTU only: every answer goes out with its CRC corrupted (the request is served).
    public var corruptCRC = false
    /// Every request is answered with a garbled frame (`ReplyGarbler`, from this seed) and not
    /// served: noise on the line both ways, so the drive takes in nothing, its comm-loss
    /// watchdog is not fed, and the master gets replies it must refuse.
    public var garbleSeed: UInt64? = nil

    public init() {}
}
