import TreadCore

/// A drive's Modbus register map and behaviour, read from a profile file so that adding a
/// drive is writing a file, not code. See docs/drive-profiles.md and Config/drives/.
///
/// All addresses are stored as protocol addresses (0-based); a profile written with the
/// manual's 1-based numbering says `register_numbering = 1` and is converted once, here.
public struct DriveProfile: Hashable, Sendable {
    /// Bits of a status word that mean something when `word & mask == value`. `register`
    /// names the word when it is not the main state register (Yaskawa's zero-speed bit lives
    /// in Drive Status 2).
    public struct BitPattern: Hashable, Sendable {
        public var mask: UInt16
        public var value: UInt16
        public var register: UInt16? = nil
        public func matches(_ word: UInt16) -> Bool { word & mask == value }
    }

    /// One step of a start-up (enable) sequence: write, then wait until a status word
    /// matches, within a time limit. DRIVECOM drives need 6 -> 7 -> 15 before they run.
    public struct SequenceStep: Hashable, Sendable {
        public var register: UInt16
        public var value: UInt16
        public var expect: BitPattern?
        public var timeout: Duration
    }

    public struct RegisterWrite: Hashable, Sendable {
        public var register: UInt16
        public var value: UInt16
    }

    public struct IdentityRegister: Hashable, Sendable {
        public var name: String
        public var register: UInt16
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
    /// The drive takes reverse only as a negative (two's complement) reference, with the
    /// forward run command (ABB Drives profile). The drive's reported direction is then the
    /// only confirmation, and the core's wrong-direction check watches it.
    public var reverseBySign: Bool = false

    public var stateRegister: UInt16
    public var running: BitPattern
    public var reverse: BitPattern
    public var outputFrequencyRegister: UInt16
    public var outputUnitHz: Double
    /// The output frequency register is two's complement (negative in reverse).
    public var outputSigned: Bool = false
    public var zeroSpeed: BitPattern? = nil
    public var faultBit: BitPattern? = nil
    public var faultCodeRegister: UInt16?
    public var faultCodes: [Int: String]

    public var faultResetRegister: UInt16
    public var faultResetValue: UInt16
    /// Written after `faultResetValue` where the drive resets on an edge (DRIVECOM bit 7).
    public var faultResetRelease: UInt16? = nil

    /// Run after connect and after a fault reset, before any run command.
    public var startSequence: [SequenceStep] = []

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
    /// Written after the parameters on drives that take them only on an ENTER/apply command.
    public var apply: RegisterWrite? = nil
    /// Read and shown by a drive probe (model, firmware).
    public var identity: [IdentityRegister] = []

    /// Every register a status poll reads, state register first.
    public var statusRegisters: [UInt16] {
        var out = [stateRegister, outputFrequencyRegister]
        for r in [zeroSpeed?.register, faultBit?.register, running.register, reverse.register, faultCodeRegister].compactMap({ $0 })
        where !out.contains(r) { out.append(r) }
        return out
    }

    public var commLossTimeoutCounts: UInt16 {
        UInt16((commLossTimeout.inSeconds / commLossTimeoutUnit).rounded())
    }

    public func faultMessage(_ code: Int) -> String {
        faultCodes[code] ?? "unknown fault code \(code) (see the drive manual)"
    }
}
