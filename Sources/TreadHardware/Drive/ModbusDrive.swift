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
    /// Register writes in the order issued since connect; tests and logs use it.
    public private(set) var writes: [(register: UInt16, value: UInt16)] = []

    public init(profile: DriveProfile, settings: ModbusSettings, calibration: BeltCalibration, acceleration: Double, deceleration: Double) {
        self.profile = profile
        self.settings = settings
        self.calibration = calibration
        self.acceleration = acceleration
        self.deceleration = deceleration
    }

    public var description: String { "\(profile.name) at \(settings.transport) unit \(settings.unit)" }

    public func connect() throws(DriveError) {
        let c: ModbusConnection
        do throws(ModbusError) {
            if let existing = link { c = existing } else { c = try ModbusConnection(settings) }
            try c.connect()
        } catch { throw .bus(error, during: "connect") }
        link = c
        writes.removeAll()
        // Order matters: stop first, then the comm-loss stop, so that from the very first
        // run command a silent controller stops the belt.
        try write(profile.commandRegister, profile.stop, "stop command")
        try write(profile.commLossTimeoutRegister, profile.commLossTimeoutCounts, "comm-loss timeout", verify: true)
        try write(profile.commLossActionRegister, profile.commLossActionValue, "comm-loss action (\(profile.commLossAction))", verify: true)
        if let r = profile.accelTimeRegister { try write(r, try rampCounts(acceleration), "acceleration time") }
        if let r = profile.decelTimeRegister { try write(r, try rampCounts(deceleration), "deceleration time") }
        for p in profile.parameters { try write(p.register, p.value, p.name, verify: p.verify) }
    }

    public func disconnect() {
        link?.close()
    }

    public func command(_ setpoint: DriveSetpoint) throws(DriveError) {
        switch setpoint {
        case .stop:
            try write(profile.commandRegister, profile.stop, "stop command")
        case .run(let direction, let speed):
            let hz = calibration.hz(speed)
            guard hz >= 0, hz <= profile.maxFrequencyHz else {
                throw .outOfRange("\(speed) needs \(hz) Hz, beyond the drive's \(profile.maxFrequencyHz) Hz")
            }
            let counts = (hz / profile.referenceUnitHz).rounded()
            guard counts <= Double(UInt16.max) else { throw .outOfRange("\(hz) Hz does not fit the reference register") }
            // Reference before run: the drive must never run on a stale reference.
            try write(profile.referenceRegister, UInt16(counts), "frequency reference")
            try write(profile.commandRegister, direction == .forward ? profile.runForward : profile.runReverse, "run command")
        }
    }

    public func resetFault() throws(DriveError) {
        try write(profile.faultResetRegister, profile.faultResetValue, "fault reset")
    }

    public func readReport() throws(DriveError) -> DriveReport {
        let wanted = [profile.stateRegister, profile.outputFrequencyRegister] + (profile.faultCodeRegister.map { [$0] } ?? [])
        let values = try readAll(wanted)
        let state = values[0], output = values[1]
        let code = values.count > 2 ? values[2] : 0
        let hz = Double(output) * profile.outputUnitHz
        return DriveReport(
            beltSpeed: calibration.speed(hz: hz),
            direction: profile.reverse.matches(state) ? .reverse : .forward,
            running: profile.running.matches(state),
            fault: code == 0 ? nil : DriveTrip(code: Int(code), message: profile.faultMessage(Int(code))))
    }

    /// One block read when the registers are close together and the drive allows it (the
    /// Delta status block 2100H-2103H is one transaction), else one read per register.
    private func readAll(_ registers: [UInt16]) throws(DriveError) -> [UInt16] {
        let lo = registers.min()!, hi = registers.max()!
        if !profile.singleRegisterReads, hi - lo < 16 {
            let c = try connection()
            let block: [UInt16]
            do { block = try c.readRegisters(lo, count: Int(hi - lo) + 1) } catch { throw .bus(error, during: "reading status") }
            return registers.map { block[Int($0 - lo)] }
        }
        var out: [UInt16] = []
        for r in registers { out.append(try read(r, "status register \(r)")) }
        return out
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

    private func write(_ register: UInt16, _ value: UInt16, _ what: String, verify: Bool = false) throws(DriveError) {
        let c = try connection()
        do { try c.writeRegister(register, value, function: profile.writeFunction) } catch { throw .bus(error, during: "writing \(what)") }
        writes.append((register, value))
        if verify {
            let back = try read(register, what)
            guard back == value else { throw .verificationFailed(parameter: what, wrote: value, read: back) }
        }
    }

    private func read(_ register: UInt16, _ what: String) throws(DriveError) -> UInt16 {
        let c = try connection()
        do { return try c.readRegisters(register, count: 1)[0] } catch { throw .bus(error, during: "reading \(what)") }
    }
}
