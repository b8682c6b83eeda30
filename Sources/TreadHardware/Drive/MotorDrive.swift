import TreadCore

/// A motor drive, as the control loop needs it. Implementations block; each instance is
/// created and used on one dedicated thread (see `DriveLink`), never on the cooperative pool.
public protocol MotorDrive: AnyObject {
    /// Names the drive and how it is reached, for messages ("Delta MS300 at tcp 127.0.0.1:1502").
    var description: String { get }
    /// Opens the link and puts the drive into a known, stopped state, writing its safety
    /// parameters (comm-loss timeout and action first) before any run command can be sent.
    func connect() throws(DriveError)
    func disconnect()
    func command(_ setpoint: DriveSetpoint) throws(DriveError)
    func resetFault() throws(DriveError)
    func readReport() throws(DriveError) -> DriveReport
    /// Asked before each Modbus transaction of `command`, `resetFault` and `readReport`, and
    /// through every wait of a start-up or fault-reset sequence; when it answers true the call
    /// gives up with `DriveError.interrupted`. `DriveLink` sets it so that a stop never waits
    /// behind more than the one transaction already on the wire (a reset sequence with its
    /// status polls, a status read of several registers). `connect` asks too but never gives
    /// up (it writes a stop first anyway), so the asking also marks every transaction's start.
    /// Called on the drive's own thread; it must not block.
    /// A wrapper drive must pass it on to the drive it wraps.
    var shouldYield: (@Sendable () -> Bool)? { get set }
}

public enum DriveError: Error, Hashable, Sendable, CustomStringConvertible {
    case bus(ModbusError, during: String)
    /// A safety parameter read back differently from what was written.
    case verificationFailed(parameter: String, wrote: UInt16, read: UInt16)
    /// A setpoint the drive's scaling cannot express (beyond max frequency, or overflow).
    case outOfRange(String)
    /// A start-up sequence step whose status never came.
    case sequenceTimeout(step: Int, register: UInt16, expected: UInt16, got: UInt16)
    /// After a masked write of a packed field, bits outside the field (other settings in the
    /// same register, such as the drive's bus address) read back changed.
    case sharedBitsChanged(parameter: String, register: UInt16, mask: UInt16, expected: UInt16, read: UInt16)
    /// `shouldYield` asked the drive to give up before its next transaction (a stop is
    /// waiting). Not a failure of the drive or the bus: the link stays up as it was.
    case interrupted(during: String)

    public var needsReconnect: Bool {
        switch self {
        case .bus(let e, _): return e.needsReconnect
        case .interrupted: return false
        case .verificationFailed, .outOfRange, .sequenceTimeout, .sharedBitsChanged: return true
        }
    }

    public var description: String {
        switch self {
        case .bus(let e, let what): return "\(what): \(e)"
        case .verificationFailed(let p, let w, let r): return "\(p): wrote \(w) but read back \(r)"
        case .outOfRange(let m): return m
        case .sequenceTimeout(let step, let r, let e, let g):
            return "start-up sequence step \(step): status register \(hex(r)) never showed \(hex(e)) (last read \(hex(g)))"
        case .sharedBitsChanged(let p, let r, let m, let e, let g):
            return "\(p): register \(hex(r)) read back \(hex(g)), expected \(hex(e)): bits outside \(hex(m)) hold other settings and must not change"
        case .interrupted(let what): return "\(what): interrupted to let a stop through"
        }
    }
}

/// Registers and values as a technician reads them in a manual: 0x2000.
public func hex(_ v: UInt16) -> String {
    let h = String(v, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, 4 - h.count)) + h
}

/// Belt calibration: belt speed per motor hertz (roller diameter, pulley ratio, poles, slip).
public struct BeltCalibration: Hashable, Sendable {
    public var kmhPerHz: Double
    public init(kmhPerHz: Double) { self.kmhPerHz = kmhPerHz }
    public func hz(_ s: Speed) -> Double { s.kmh / kmhPerHz }
    public func speed(hz: Double) -> Speed { .kmh(abs(hz) * kmhPerHz) }
}
