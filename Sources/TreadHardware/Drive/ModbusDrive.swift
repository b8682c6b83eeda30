import Foundation
import TreadCore

/// A `MotorDrive` that executes a `DriveProfile` over libmodbus.
public final class ModbusDrive: MotorDrive {
    public let profile: DriveProfile
    public let settings: ModbusSettings
    public let calibration: BeltCalibration
    /// Ramp rates written to the drive at connect (km/h per s), so the drive itself limits
    /// acceleration even if a reference ever jumped.
    public let acceleration: Double
    public let deceleration: Double
    private var link: ModbusConnection?
    private let statusPlan: StatusReadPlan
    private var statusBuffer: [UInt16]
    /// Register writes in the order issued since connect; tests and logs use it.
    public private(set) var writes: [(register: UInt16, value: UInt16)] = []
    /// The whole word a packed comm-loss field's register holds after connect: the field set,
    /// every other bit as the drive had it. What a probe expects to read back.
    public private(set) var commLossWord: UInt16?
    public var shouldYield: (@Sendable () -> Bool)?
    /// While connecting nothing yields: connect's first write is the stop, and a half-made
    /// connection would only have to be made again.
    private var connecting = false

    public init(profile: DriveProfile, settings: ModbusSettings, calibration: BeltCalibration, acceleration: Double, deceleration: Double) {
        self.profile = profile
        self.settings = settings
        self.calibration = calibration
        self.acceleration = acceleration
        self.deceleration = deceleration
        self.statusPlan = StatusReadPlan(profile)
        self.statusBuffer = [UInt16](repeating: 0, count: max(statusPlan.blockCount, statusPlan.registers.count))
    }

    public var description: String { "\(profile.name) at \(settings.transport) unit \(settings.unit)" }

    public func connect() throws(DriveError) {
        connecting = true
        defer { connecting = false }
        let c: ModbusConnection
        do throws(ModbusError) {
            if let existing = link { c = existing } else { c = try ModbusConnection(settings) }
            try c.connect()
        } catch { throw .bus(error, during: "connect") }
        link = c
        writes.removeAll()
        commLossWord = nil
        // Order matters: stop first, then the comm-loss stop, so that from the very first
        // run command a silent controller stops the belt.
        try write(profile.commandRegister, profile.stop, "stop command")
        // A zero reference, so that no later command (a DRIVECOM enable step that doubles as
        // "run", a drive that kept an old reference) can move the belt before treadd means it.
        try write(profile.referenceRegister, 0, "frequency reference (zero)")
        switch profile.commLoss {
        case .registers(let r):
            try write(r.timeoutRegister, r.timeoutCounts, "comm-loss timeout", verify: profile.apply == nil)
            try write(r.actionRegister, r.actionValue, "comm-loss action (\(profile.commLossAction))", verify: profile.apply == nil)
        case .field(let f):
            commLossWord = try writeField(f, "comm-loss setting (\(profile.commLossAction))", verify: profile.apply == nil)
        }
        if let r = profile.accelTimeRegister { try write(r, try rampCounts(acceleration), "acceleration time") }
        if let r = profile.decelTimeRegister { try write(r, try rampCounts(deceleration), "deceleration time") }
        for p in profile.parameters { try write(p.register, p.value, p.name, verify: p.verify && profile.apply == nil) }
        if let a = profile.apply {
            // Drives such as Yaskawa take parameters only on ENTER; verify after it.
            try write(a.register, a.value, "apply (ENTER) command")
            switch profile.commLoss {
            case .registers(let r):
                try verify(r.timeoutRegister, r.timeoutCounts, "comm-loss timeout")
                try verify(r.actionRegister, r.actionValue, "comm-loss action")
            case .field(let f):
                try verifyField(f, expected: commLossWord ?? f.value, "comm-loss setting")
            }
            for p in profile.parameters where p.verify { try verify(p.register, p.value, p.name) }
        }
        try runStartSequence()
    }

    /// DRIVECOM-style enable: each step written, then its status awaited within its limit.
    private func runStartSequence() throws(DriveError) {
        if !profile.startSequence.isEmpty { try write(profile.referenceRegister, 0, "frequency reference (zero)") }
        for (i, step) in profile.startSequence.enumerated() {
            try write(step.register, step.value, "start-up sequence step \(i + 1)")
            guard let expect = step.expect else { continue }
            let statusRegister = expect.register ?? profile.stateRegister
            let deadline = ContinuousClock.now + step.timeout
            var last: UInt16 = 0
            while true {
                last = try read(statusRegister, "status during start-up step \(i + 1)")
                if expect.matches(last) { break }
                guard ContinuousClock.now < deadline else {
                    throw .sequenceTimeout(step: i + 1, register: statusRegister, expected: expect.value, got: last)
                }
                try pause(.milliseconds(10), "start-up step \(i + 1)")  // the drive's own state machine needs a moment
            }
        }
    }

    public func disconnect() {
        link?.close()
    }

    public func command(_ setpoint: DriveSetpoint) throws(DriveError) {
        switch setpoint {
        case .stop:
            try write(profile.commandRegister, profile.stop, "stop command")
        case .run(let direction, let speed):
            // The last word on reverse speed, whatever the profile's scaling or maximum
            // frequency allow: a config or core bug must not reach the belt.
            guard direction == .forward || speed <= HardLimits.maxReverseSpeed else {
                throw .outOfRange("reverse at \(speed) is above the hard reverse limit of \(HardLimits.maxReverseSpeed); nothing was written")
            }
            let hz = calibration.hz(speed)
            guard hz >= 0, hz <= profile.maxFrequencyHz else {
                throw .outOfRange("\(speed) needs \(hz) Hz, beyond the drive's \(profile.maxFrequencyHz) Hz")
            }
            let counts = (hz / profile.referenceUnitHz).rounded()
            let word: UInt16
            if profile.reverseBySign {
                guard counts <= Double(Int16.max) else { throw .outOfRange("\(hz) Hz does not fit the signed reference register") }
                word = UInt16(bitPattern: Int16(direction == .reverse ? -counts : counts))
            } else {
                guard counts <= Double(UInt16.max) else { throw .outOfRange("\(hz) Hz does not fit the reference register") }
                word = UInt16(counts)
            }
            // Reference before run: the drive must never run on a stale reference.
            try write(profile.referenceRegister, word, "frequency reference")
            try write(profile.commandRegister, direction == .forward ? profile.runForward : profile.runReverse, "run command")
        }
    }

    public func resetFault() throws(DriveError) {
        try write(profile.faultResetRegister, profile.faultResetValue, "fault reset")
        if let release = profile.faultResetRelease { try write(profile.faultResetRegister, release, "fault reset release") }
        // A DRIVECOM drive falls back to "switch on disabled" after a fault: enable it again.
        try runStartSequence()
    }

    /// Every parameter connect writes and expects to read back, for a probe.
    public var expectedParameters: [(name: String, register: UInt16, value: UInt16)] {
        var out: [(String, UInt16, UInt16)] = []
        switch profile.commLoss {
        case .registers(let r):
            out.append(("comm-loss timeout", r.timeoutRegister, r.timeoutCounts))
            out.append(("comm-loss action (\(profile.commLossAction))", r.actionRegister, r.actionValue))
        case .field(let f):
            // The whole word as connect left it: the field, and the other settings unchanged.
            out.append(("comm-loss setting (\(profile.commLossAction)) in bits \(hex(f.mask))", f.register, commLossWord ?? f.value))
        }
        if let r = profile.accelTimeRegister, let v = try? rampCounts(acceleration) { out.append(("acceleration time", r, v)) }
        if let r = profile.decelTimeRegister, let v = try? rampCounts(deceleration) { out.append(("deceleration time", r, v)) }
        for p in profile.parameters where p.verify { out.append((p.name, p.register, p.value)) }
        return out
    }

    public func readRegister(_ register: UInt16, _ what: String) throws(DriveError) -> UInt16 {
        try read(register, what)
    }

    /// Reads the profile's identity registers (model, firmware) for a probe report.
    public func readIdentity() throws(DriveError) -> [(name: String, value: UInt16)] {
        var out: [(String, UInt16)] = []
        for i in profile.identity { out.append((i.name, try read(i.register, i.name))) }
        return out
    }

    /// Decodes one status poll. The read plan is worked out once (`StatusReadPlan`), and the
    /// poll reads into a reused buffer: this runs 20+ times a second for the life of the daemon.
    public func readReport() throws(DriveError) -> DriveReport {
        let plan = statusPlan
        if plan.blockCount > 0 {
            let c = try connection()
            try checkpoint("reading status")
            do { try c.readRegisters(plan.blockStart, into: &statusBuffer) } catch { throw .bus(error, during: "reading status") }
        } else {
            for (i, r) in plan.registers.enumerated() { statusBuffer[i] = try read(r, "status register \(hex(r))") }
        }
        let buffer = statusBuffer
        func word(_ r: UInt16) -> UInt16 { buffer[plan.slot(r)] }
        func matches(_ p: DriveProfile.BitPattern) -> Bool { p.matches(word(p.register ?? profile.stateRegister)) }
        let raw = word(profile.outputFrequencyRegister)
        let counts = profile.outputSigned ? abs(Double(Int16(bitPattern: raw))) : Double(raw)
        let speed = calibration.speed(hz: counts * profile.outputUnitHz)
        let code = profile.faultCodeRegister.map { profile.faultCode(in: word($0)) } ?? 0
        let tripped = code != 0 || (profile.faultBit.map(matches) ?? false)
        return DriveReport(
            beltSpeed: speed,
            direction: matches(profile.reverse) ? .reverse : .forward,
            running: matches(profile.running),
            fault: tripped ? DriveTrip(code: Int(code), message: code == 0 ? "the drive reports a fault" : profile.faultMessage(Int(code))) : nil,
            zeroSpeedFlag: profile.zeroSpeed.map(matches))
    }

    private func rampCounts(_ kmhPerS: Double) throws(DriveError) -> UInt16 {
        // Time for the drive to sweep 0 -> full-scale Hz at this rate.
        let seconds = calibration.speed(hz: profile.rampFullScaleHz).kmh / kmhPerS
        let counts = (seconds / profile.rampTimeUnit).rounded()
        guard counts >= 1, counts <= Double(UInt16.max) else { throw .outOfRange("ramp time \(seconds) s does not fit the drive's ramp register") }
        return UInt16(counts)
    }

    private func connection() throws(DriveError) -> ModbusConnection {
        guard let link, link.isConnected else { throw .bus(.connectionLost("not connected"), during: "request") }
        return link
    }

    /// Gives up before a transaction when `shouldYield` says a stop is waiting. Asked during
    /// connect too (the asking is the link's sign of life), but not obeyed there.
    /// The message is built only when it is needed: this runs before every transaction.
    private func checkpoint(_ what: @autoclosure () -> String) throws(DriveError) {
        guard let shouldYield, shouldYield(), !connecting else { return }
        throw .interrupted(during: what())
    }

    /// Sleeps in 1 ms slices, each one a checkpoint, so a stop is not kept waiting by a
    /// sequence's pause between status polls.
    private func pause(_ d: Duration, _ what: @autoclosure () -> String) throws(DriveError) {
        let deadline = ContinuousClock.now + d
        while ContinuousClock.now < deadline {
            try checkpoint(what())
            Thread.sleep(forTimeInterval: min(0.001, (deadline - ContinuousClock.now).inSeconds))
        }
        try checkpoint(what())
    }

    private func write(_ register: UInt16, _ value: UInt16, _ what: String, verify: Bool = false) throws(DriveError) {
        let c = try connection()
        try checkpoint("writing \(what)")
        do { try c.writeRegister(register, value, function: profile.writeFunction) } catch {
            throw .bus(error, during: "writing \(what) (register \(hex(register)))")
        }
        writes.append((register, value))
        if writes.count > 1024 { writes.removeFirst(512) }  // a record for tests and probes, not a leak
        if verify { try self.verify(register, value, what) }
    }

    /// Sets a packed field by a masked read-modify-write: reads the register, replaces only the
    /// field's bits, writes the word back (unless the field already holds its value, so a
    /// register that carries the drive's bus address is not rewritten for nothing) and, with
    /// `verify`, reads it back. Returns the word the register must now hold.
    private func writeField(_ f: DriveProfile.PackedField, _ what: String, verify: Bool) throws(DriveError) -> UInt16 {
        let before = try read(f.register, what)
        let word = f.applied(to: before)
        if word != before { try write(f.register, word, what) }
        if verify { try verifyField(f, expected: word, what) }
        return word
    }

    /// The field holds its value and the bits around it are the ones expected.
    private func verifyField(_ f: DriveProfile.PackedField, expected: UInt16, _ what: String) throws(DriveError) {
        let back = try read(f.register, what)
        guard f.holds(in: back) else { throw .verificationFailed(parameter: what, wrote: expected, read: back) }
        guard back & ~f.mask == expected & ~f.mask else {
            throw .sharedBitsChanged(parameter: what, register: f.register, mask: f.mask, expected: expected, read: back)
        }
    }

    private func verify(_ register: UInt16, _ value: UInt16, _ what: String) throws(DriveError) {
        let back = try read(register, what)
        guard back == value else { throw .verificationFailed(parameter: what, wrote: value, read: back) }
    }

    /// `what` is built only for an error or a yield: a status poll of a drive read one
    /// register at a time calls this several times a poll (docs/benchmarks.md, poll rate).
    private func read(_ register: UInt16, _ what: @autoclosure () -> String) throws(DriveError) -> UInt16 {
        let c = try connection()
        try checkpoint("reading \(what())")
        do { return try c.readRegister(register) } catch { throw .bus(error, during: "reading \(what()) (register \(hex(register)))") }
    }
}

/// Which registers a status poll reads and where each lands in the buffer: one block read
/// when the registers are close together and the drive allows it (the Delta status block
/// 2100H-2103H is one transaction), else one read per register.
struct StatusReadPlan: Sendable {
    let registers: [UInt16]
    let blockStart: UInt16
    /// 0 when the registers are read one at a time.
    let blockCount: Int

    init(_ profile: DriveProfile) {
        registers = profile.statusRegisters
        let lo = registers.min()!, hi = registers.max()!
        blockStart = lo
        blockCount = !profile.singleRegisterReads && hi - lo < 16 ? Int(hi - lo) + 1 : 0
    }

    func slot(_ register: UInt16) -> Int {
        blockCount > 0 ? Int(register - blockStart) : registers.firstIndex(of: register)!
    }
}

extension DriveProfile {
    /// Modbus transactions in one status poll (1 for a block read): how long a stop could
    /// wait behind a poll if polls could not be interrupted.
    public var statusReadTransactions: Int { statusReads.count }

    /// The FC03 reads of one status poll, in order: what `ModbusDrive.readReport()` puts on
    /// the bus, for a benchmark's baseline to repeat with libmodbus alone.
    public var statusReads: [(address: UInt16, count: Int)] {
        let plan = StatusReadPlan(self)
        return plan.blockCount > 0 ? [(plan.blockStart, plan.blockCount)] : plan.registers.map { ($0, 1) }
    }
}
