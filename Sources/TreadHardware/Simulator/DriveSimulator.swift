import TreadCore

/// A motor drive emulated from its `DriveProfile`: the register file a Modbus master sees,
/// plus the physics behind it (ramps, direction changes at 0 Hz, the comm-loss watchdog, trips).
///
/// A pure value: no I/O and no clock. Time is passed in as `Instant`, so tests drive it by
/// hand and `SimulatorServer` feeds `CLOCK_MONOTONIC`. Every mutating entry point first
/// advances the physics to the given instant, then acts, then refreshes the status registers.
///
/// Behaviour, following a Delta MS300 where the profile does not say otherwise:
/// - Registers start at 0; reading any address returns what is stored (0 if never written).
/// - Commands latch: the command register holds stop / run forward / run reverse until
///   overwritten; other values are stored but do nothing.
/// - A reference above `maxFrequencyHz` is refused: the reference and its register keep
///   their old value.
/// - Ramp times count from 0 Hz to `rampFullScaleHz` in `rampTimeUnit` seconds. A ramp time
///   register that is 0 or not in the profile means `defaultRampTime` (1 s to full scale), so
///   a freshly powered simulator ramps quickly but never jumps.
/// - A run command in the opposite direction ramps the output down at the decel rate,
///   changes direction at 0 Hz, then ramps up at the accel rate.
/// - The comm-loss watchdog is armed once the master has made its first request
///   (`noteRequest`); it fires when the timeout register is non-zero, the drive is running
///   (run commanded or output above 0) and no request has been noted for longer than the
///   timeout. The action register decides: `profile.commLossActionValue` trips and ramps to
///   stop; 2 trips and coasts (output to 0 at once); 0 and 3 keep running (the Delta factory
///   default, with only a warning: `commLossWarning`); any other value ramps to stop like
///   the profile's action. A trip stores `profile.commLossFaultCode` (58 if the profile has none).
/// - A tripped drive ignores run commands (they are stored, not obeyed) until a fault reset,
///   which is accepted only at 0 Hz output.
public struct DriveSimulator: Sendable {
    /// Ramp time to full scale used when a ramp time register is 0 or absent.
    public static let defaultRampTime: Double = 1.0
    /// Trip code for a comm-loss when the profile names none (Delta CE10).
    public static let defaultCommLossFaultCode = 58
    /// Comm-loss action register values besides the profile's ramp-to-stop value.
    public static let commLossCoastValue: UInt16 = 2
    public static let commLossKeepRunningValues: Set<UInt16> = [0, 3]

    public let profile: DriveProfile

    /// The register file, all 0 initially; status registers are kept current.
    public private(set) var registers: [UInt16: UInt16] = [:]
    /// Output frequency magnitude, always >= 0.
    public private(set) var outputHz: Double = 0
    /// Direction of the output; changes only at 0 Hz.
    public private(set) var direction: Direction = .forward
    /// A run command is latched and being obeyed.
    public private(set) var runCommanded = false
    /// Direction of the last run command.
    public private(set) var commandedDirection: Direction = .forward
    /// Frequency reference in Hz (the last accepted reference register write).
    public private(set) var referenceHz: Double = 0
    /// The active trip, nil when healthy.
    public private(set) var tripCode: Int?
    /// The master has been silent past the timeout with a keep-running action.
    public private(set) var commLossWarning = false

    private var lastAdvance: Instant?
    private var lastRequest: Instant?

    public init(profile: DriveProfile) {
        self.profile = profile
        refreshStatus()
    }

    /// What the status word's running bits say: run commanded or the motor still turning.
    public var isRunning: Bool { runCommanded || outputHz > 0 }

    public func read(address: UInt16) -> UInt16 { registers[address] ?? 0 }

    // MARK: Rates and timeouts as programmed in the registers

    /// Acceleration in Hz/s from the accel time register.
    public var accelRateHzPerSecond: Double { rate(profile.accelTimeRegister) }
    /// Deceleration in Hz/s from the decel time register.
    public var decelRateHzPerSecond: Double { rate(profile.decelTimeRegister) }

    private func rate(_ register: UInt16?) -> Double {
        let counts = register.map { read(address: $0) } ?? 0
        let seconds = counts == 0 ? Self.defaultRampTime : Double(counts) * profile.rampTimeUnit
        return profile.rampFullScaleHz / seconds
    }

    /// The comm-loss timeout programmed in the drive, nil when off (register 0).
    public var commLossTimeout: Duration? {
        let counts = read(address: profile.commLossTimeoutRegister)
        guard counts > 0 else { return nil }
        return .fractionalSeconds(Double(counts) * profile.commLossTimeoutUnit)
    }

    // MARK: Master requests

    /// Any valid request from the master: feeds the comm-loss watchdog.
    public mutating func noteRequest(at now: Instant) {
        advance(to: now)
        lastRequest = max(lastRequest ?? now, now)
        commLossWarning = false
    }

    /// A register write from the master, with the drive's side effects.
    public mutating func write(address: UInt16, value: UInt16, at now: Instant) {
        advance(to: now)
        let old = registers[address] ?? 0
        registers[address] = value

        if address == profile.commandRegister {
            switch value {
            case profile.stop:
                runCommanded = false
            case profile.runForward, profile.runReverse:
                if tripCode == nil {
                    runCommanded = true
                    commandedDirection = value == profile.runForward ? .forward : .reverse
                }
            default:
                break
            }
        }
        if address == profile.referenceRegister {
            let hz = Double(value) * profile.referenceUnitHz
            if hz <= profile.maxFrequencyHz + 1e-9 {
                referenceHz = hz
            } else {
                registers[address] = old
            }
        }
        if address == profile.faultResetRegister, value == profile.faultResetValue, outputHz == 0 {
            tripCode = nil
            commLossWarning = false
        }
        settleDirection()
        refreshStatus()
    }

    // MARK: Physics

    /// Runs the drive forward to `now`: ramps, direction changes, the comm-loss watchdog.
    /// Earlier instants than the last one seen are ignored (time does not run backwards).
    public mutating func advance(to now: Instant) {
        guard let last = lastAdvance else {
            lastAdvance = now
            settleDirection()
            refreshStatus()
            return
        }
        guard now > last else { return }
        var t = last
        // The watchdog fires at its deadline, not at the end of the step, so a long step
        // trips at the right moment and ramps down for the rest of it.
        if let deadline = commLossDeadline, deadline < now, tripCode == nil {
            let at = max(deadline, t)
            integrate(seconds: (at - t).inSeconds)
            t = at
            commLossCheck()
        }
        integrate(seconds: (now - t).inSeconds)
        lastAdvance = now
        refreshStatus()
    }

    private var commLossDeadline: Instant? {
        guard let lastRequest, let timeout = commLossTimeout else { return nil }
        return lastRequest + timeout
    }

    private mutating func commLossCheck() {
        guard isRunning, tripCode == nil else { return }
        let action = read(address: profile.commLossActionRegister)
        if action != profile.commLossActionValue {
            if Self.commLossKeepRunningValues.contains(action) {
                commLossWarning = true
                return
            }
        }
        tripCode = profile.commLossFaultCode ?? Self.defaultCommLossFaultCode
        runCommanded = false
        if action != profile.commLossActionValue && action == Self.commLossCoastValue {
            outputHz = 0
        }
    }

    /// At 0 Hz the output takes the commanded direction.
    private mutating func settleDirection() {
        if outputHz == 0, runCommanded, tripCode == nil, direction != commandedDirection {
            direction = commandedDirection
        }
    }

    private mutating func integrate(seconds: Double) {
        var remaining = seconds
        // Each pass either uses up the time or reaches a target; at most: decelerate to 0,
        // reverse, accelerate to the reference, hold.
        for _ in 0..<4 where remaining > 0 {
            settleDirection()
            let wantsRun = runCommanded && tripCode == nil
            let target = (wantsRun && commandedDirection == direction) ? referenceHz : 0
            if outputHz < target {
                let rate = accelRateHzPerSecond
                let needed = (target - outputHz) / rate
                if needed > remaining {
                    outputHz += rate * remaining
                    remaining = 0
                } else {
                    outputHz = target
                    remaining -= needed
                }
            } else if outputHz > target {
                let rate = decelRateHzPerSecond
                let needed = (outputHz - target) / rate
                if needed > remaining {
                    outputHz -= rate * remaining
                    remaining = 0
                } else {
                    outputHz = target
                    remaining -= needed
                }
            } else {
                break
            }
        }
        settleDirection()
    }

    // MARK: Status registers

    /// The status word as the profile's patterns describe it.
    public var statusWord: UInt16 {
        (isRunning ? profile.running.value : 0) | (direction == .reverse ? profile.reverse.value : 0)
    }

    private mutating func refreshStatus() {
        registers[profile.outputFrequencyRegister] = UInt16(clamping: Int((outputHz / profile.outputUnitHz).rounded()))
        var fault: UInt16?
        if let r = profile.faultCodeRegister {
            fault = UInt16(clamping: tripCode ?? 0)
            registers[r] = fault
        }
        // A state word shared with the fault code register carries both.
        registers[profile.stateRegister] = statusWord | (profile.faultCodeRegister == profile.stateRegister ? fault ?? 0 : 0)
    }
}
