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

    /// A setting kept in some bits of a register that also holds other settings (the Optidrive
    /// E3 packs its comm-loss watchdog, baud rate and bus address into P-36). It is written by
    /// a masked read-modify-write: only `mask` changes, every other bit is kept as read.
    public struct PackedField: Hashable, Sendable {
        public var register: UInt16
        public var mask: UInt16
        public var value: UInt16
        /// `word` with the field set to `value` and every other bit unchanged.
        public func applied(to word: UInt16) -> UInt16 { word & ~mask | value }
        public func holds(in word: UInt16) -> Bool { word & mask == value }
    }

    /// Where the drive's comm-loss watchdog is set.
    public enum CommLossSetting: Hashable, Sendable {
        /// A time-out register and an action register of their own (Delta 09-03/09-02).
        case registers(CommLossRegisters)
        /// One field of a shared register that selects time-out and action together (E3 P-36).
        case field(PackedField)
    }

    public struct CommLossRegisters: Hashable, Sendable {
        public var timeoutRegister: UInt16
        /// Seconds per count of the time-out register.
        public var timeoutUnit: Double
        /// The profile's time-out in counts of `timeoutUnit`; never 0 (the loader refuses it).
        public var timeoutCounts: UInt16
        public var actionRegister: UInt16
        public var actionValue: UInt16
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
    /// The bits of `faultCodeRegister` that hold the code, one run of bits (E3: the high byte of
    /// register 6, whose low byte holds status bits); the code is read shifted down to bit 0.
    public var faultCodeMask: UInt16 = 0xFFFF
    public var faultCodes: [Int: String]

    public var faultResetRegister: UInt16
    public var faultResetValue: UInt16
    /// Written after `faultResetValue` where the drive resets on an edge (DRIVECOM bit 7).
    public var faultResetRelease: UInt16? = nil

    /// Run after connect and after a fault reset, before any run command.
    public var startSequence: [SequenceStep] = []

    /// The drive's own stop on a silent master: the last line of defence if treadd dies.
    public var commLoss: CommLossSetting
    /// What the comm-loss setting means: the drive stops this long after treadd goes silent.
    public var commLossTimeout: Duration
    /// The comm-loss action, in words.
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

    /// The separate comm-loss registers, nil when the setting is a packed field.
    public var commLossRegisters: CommLossRegisters? {
        if case .registers(let r) = commLoss { return r }
        return nil
    }

    /// The packed comm-loss field, nil when the setting has registers of its own.
    public var commLossField: PackedField? {
        if case .field(let f) = commLoss { return f }
        return nil
    }

    /// Every register treadd writes the comm-loss setting to.
    public var commLossWrittenRegisters: [UInt16] {
        switch commLoss {
        case .registers(let r): [r.timeoutRegister, r.actionRegister]
        case .field(let f): [f.register]
        }
    }

    /// The fault code in a word of `faultCodeRegister`: its `faultCodeMask` bits, shifted down.
    public func faultCode(in word: UInt16) -> Int {
        Int((word & faultCodeMask) >> UInt16(faultCodeMask.trailingZeroBitCount))
    }

    public func faultMessage(_ code: Int) -> String {
        faultCodes[code] ?? "unknown fault code \(code) (see the drive manual)"
    }
}
