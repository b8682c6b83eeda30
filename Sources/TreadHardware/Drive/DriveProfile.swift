import TreadCore

/// A drive's Modbus register map and behaviour, read from a profile file so that adding a
/// drive is writing a file, not code. See docs/drive-profiles.md and Config/drives/.
///
/// All addresses are stored as protocol addresses (0-based); a profile written with the
/// manual's 1-based numbering says `register_numbering = 1` and is converted once, here.
public struct DriveProfile: Hashable, Sendable {
    public struct BitPattern: Hashable, Sendable {
        public var mask: UInt16
        public var value: UInt16
        public func matches(_ word: UInt16) -> Bool { word & mask == value }
    }

    public enum WriteFunction: Int, Hashable, Sendable {
        case single = 6
        case multiple = 16
    }

    public struct ParameterWrite: Hashable, Sendable {
        public var name: String
        public var register: UInt16
        public var value: UInt16
        public var verify: Bool
    }

    public var name: String
    public var manual: String
    public var writeFunction: WriteFunction
    public var singleRegisterReads: Bool
    public var maxFrequencyHz: Double

    public var commandRegister: UInt16
    public var runForward: UInt16
    public var runReverse: UInt16
    public var stop: UInt16

    public var referenceRegister: UInt16
    public var referenceUnitHz: Double

    public var stateRegister: UInt16
    public var running: BitPattern
    public var reverse: BitPattern
    public var outputFrequencyRegister: UInt16
    public var outputUnitHz: Double
    public var faultCodeRegister: UInt16?
    public var faultCodes: [Int: String]

    public var faultResetRegister: UInt16
    public var faultResetValue: UInt16

    /// The drive's own stop on a silent master: the last line of defence if treadd dies.
    public var commLossTimeoutRegister: UInt16
    public var commLossTimeoutUnit: Double
    public var commLossTimeout: Duration
    public var commLossActionRegister: UInt16
    public var commLossActionValue: UInt16
    public var commLossAction: String
    public var commLossFaultCode: Int?

    public var accelTimeRegister: UInt16?
    public var decelTimeRegister: UInt16?
    public var rampTimeUnit: Double
    /// Drive ramp times run from 0 Hz to this frequency.
    public var rampFullScaleHz: Double

    public var parameters: [ParameterWrite]

    public var commLossTimeoutCounts: UInt16 {
        UInt16((commLossTimeout.inSeconds / commLossTimeoutUnit).rounded())
    }

    public func faultMessage(_ code: Int) -> String {
        faultCodes[code] ?? "unknown fault code \(code) (see the drive manual)"
    }
}
