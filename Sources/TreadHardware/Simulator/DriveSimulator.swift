import TreadCore

/// A motor drive emulated from its `DriveProfile`: the register file a Modbus master sees,
/// plus the physics behind it (ramps, direction changes at 0 Hz, the comm-loss watchdog, trips).
///
/// A pure value: no I/O and no clock. Time is passed in as `Instant`, so tests drive it by
/// hand and `SimulatorServer` feeds `CLOCK_MONOTONIC`. Every mutating entry point first
/// advances the physics to the given instant, then acts, then refreshes the status registers.
///
/// Generic: whatever the profile declares is emulated, following a Delta MS300 where the
/// profile does not say otherwise:
/// - Registers start at 0; reading any address returns what is stored (0 if never written).
///   Status registers (state word, output frequency, fault code, every register a status
///   pattern or start-up step names) are computed by the drive: a write to one is overwritten.
///   Identity registers read a fixed non-zero value (`identityValue`).
/// - Commands latch: the command register holds stop / run forward / run reverse until
///   overwritten; other values are stored but do nothing.
/// - A reference above `maxFrequencyHz` is refused: the reference and its register keep
///   their old value. The reference is `referenceUnitHz` per count.
/// - Apply (ENTER) drives (`profile.apply`): writes to the comm-loss, ramp and parameter
///   registers are stored and read back at once, but the drive *uses* them (watchdog, ramp
///   rates) only after the apply register is written with the apply value; until the first
///   apply they count as 0 (watchdog off, default ramps). Without `apply` a write is active at once.
/// - Start-up sequence (`profile.startSequence`, DRIVECOM-like): the drive starts in the
///   state before step 1, its status words show `initialSequenceWord` (0x0040 "switch on
///   disabled" where that matches no step). Writing step k's value to step k's register in
///   state k-1 or later moves to state k and sets the bits of step k's `expect` pattern in
///   its register (other bits kept). Run commands are stored but not obeyed until the last
///   step is done; the write that completes the sequence is obeyed if it is also a run value
///   (DRIVECOM 0x000F: enable operation = run). Once enabled, run and stop values written to
///   the command register keep the drive enabled. A trip drops back to the initial state;
///   after the fault reset the master runs the sequence again.
/// - Ramp times count from 0 Hz to `rampFullScaleHz` in `rampTimeUnit` seconds. A ramp time
///   that is 0 or not in the profile means `defaultRampTime` (1 s to full scale), so a freshly
///   powered simulator ramps quickly but never jumps.
/// - A run command in the opposite direction ramps the output down at the decel rate,
///   changes direction at 0 Hz, then ramps up at the accel rate.
/// - The comm-loss watchdog is armed once the master has made its first request
///   (`noteRequest`); it fires when the (active) timeout is non-zero, the drive is running
///   (run commanded or output above 0) and no request has been noted for longer than the
///   timeout. The action register decides: `profile.commLossActionValue` trips and ramps to
///   stop; 2 trips and coasts (output to 0 at once); 0 and 3 keep running (the Delta factory
///   default, with only a warning: `commLossWarning`); any other value ramps to stop like
///   the profile's action. A trip stores `profile.commLossFaultCode` (58 if the profile has none).
/// - A packed comm-loss field (`profile.commLossField`, Optidrive E3 P-36): the register starts
///   with the field at 0 (watchdog off) and the other bits at `packedOtherBits` (they stand for
///   the drive's bus address and baud rate, so a master that clobbers them shows). The watchdog
///   is on, with the profile's time-out, ramping to stop and tripping as above, exactly while
///   the field's bits hold the profile's value; any other field value is off.
/// - `trip(code:at:)` (an injected fault: over-current, over-heat...) trips and coasts: the
///   output is switched off at once, as drives do on a fault.
/// - A tripped drive ignores run commands (they are stored, not obeyed) until a fault reset
///   (`faultResetValue` written to `faultResetRegister`; a `faultResetRelease` write is just
///   stored), which is accepted only at 0 Hz output.
/// - Status: each of `running` (run commanded or output above 0), `reverse` (output
///   direction), `zeroSpeed` (output at 0 Hz) and `faultBit` (tripped) is written into its
///   register so that the profile's own pattern matches exactly when the condition holds.
///   The output frequency is `outputUnitHz` per count, two's complement negative in reverse
///   when `outputSigned`. The fault code register holds the trip code (0 when healthy) in its
///   `faultCodeMask` bits (E3: the high byte, next to the status bits).
/// - A lying drive, for supervision tests (`setOverspeed`, `freeze`): with an overspeed
///   factor the motor really runs at that multiple of the accepted reference (a wrong scale,
///   a keypad reference) and the output frequency register tells the truth about it; frozen,
///   every status register (state word, output frequency, fault code) keeps the word it had
///   while the physics go on underneath, as a drive whose reports hang would.
public struct DriveSimulator: Sendable {
    /// Ramp time to full scale used when a ramp time register is 0 or absent.
    public static let defaultRampTime: Double = 1.0
    /// Trip code for a comm-loss when the profile names none (Delta CE10).
    public static let defaultCommLossFaultCode = 58
    /// Comm-loss action register values besides the profile's ramp-to-stop value.
    public static let commLossCoastValue: UInt16 = 2
    public static let commLossKeepRunningValues: Set<UInt16> = [0, 3]
    /// Modbus exception 01, illegal function.
    public static let illegalFunction = 1
    /// The bits outside a packed comm-loss field at power-up (standing for address and baud rate).
    public static let packedOtherBits: UInt16 = 0x5A5A

    /// A packed field's register at power-up: the field off (0), the other bits `packedOtherBits`.
    public static func initialWord(for field: DriveProfile.PackedField) -> UInt16 {
        packedOtherBits & ~field.mask
    }

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
    /// The last reference was negative (drives with `reverseBySign`).
    private var referenceNegative = false
    /// Frequency reference in Hz (the last accepted reference register write).
    public private(set) var referenceHz: Double = 0
    /// The active trip, nil when healthy.
    public private(set) var tripCode: Int?
    /// The master has been silent past the timeout with a keep-running action.
    public private(set) var commLossWarning = false
    /// Start-up sequence steps done: 0 before step 1, `profile.startSequence.count` when
    /// the drive is enabled. Always "enabled" for a profile without a sequence.
    public private(set) var sequenceState = 0
    /// Values of the apply-gated registers as last applied (only with `profile.apply`).
    public private(set) var applied: [UInt16: UInt16] = [:]
    /// The output the motor really runs at, per hertz of accepted reference: 1 for an honest
    /// drive, more for one that runs faster than it was told.
    public private(set) var overspeedFactor: Double = 1
    /// The status words held while the reports are frozen, nil when they are live.
    public private(set) var frozenStatus: [UInt16: UInt16]?
    public var isFrozen: Bool { frozenStatus != nil }

    private var lastAdvance: Instant?
    private var lastRequest: Instant?
    /// Status registers and their computed base words (the start-up sequence's bits).
    private let statusAddresses: [UInt16]
    /// Per status register, the bits a start-up step's `expect` pattern owns.
    private let sequenceMask: [UInt16: UInt16]
    /// Per status register, the word before step 1.
    private let sequenceInitial: [UInt16: UInt16]
    /// Registers whose writes take effect only on apply.
    private let gated: Set<UInt16>

    public init(profile: DriveProfile) {
        self.profile = profile
        var addresses = profile.statusRegisters
        var masks: [UInt16: UInt16] = [:]
        var patternsByRegister: [UInt16: [DriveProfile.BitPattern]] = [:]
        for step in profile.startSequence {
            guard let e = step.expect else { continue }
            let r = e.register ?? profile.stateRegister
            masks[r, default: 0] |= e.mask
            patternsByRegister[r, default: []].append(e)
            if !addresses.contains(r) { addresses.append(r) }
        }
        var initial: [UInt16: UInt16] = [:]
        for (r, patterns) in patternsByRegister {
            initial[r] = Self.initialWord(avoiding: patterns)
        }
        statusAddresses = addresses
        sequenceMask = masks
        sequenceInitial = initial
        var g: Set<UInt16> = []
        if profile.apply != nil {
            g = Set(profile.commLossWrittenRegisters)
            if let r = profile.accelTimeRegister { g.insert(r) }
            if let r = profile.decelTimeRegister { g.insert(r) }
            for p in profile.parameters { g.insert(p.register) }
        }
        gated = g
        if let f = profile.commLossField { registers[f.register] = Self.initialWord(for: f) }
        refreshStatus()
    }

    /// A word matching none of the patterns: 0x0040 (DRIVECOM "switch on disabled") if it
    /// can, else the first that does.
    static func initialWord(avoiding patterns: [DriveProfile.BitPattern]) -> UInt16 {
        for candidate in [UInt16(0x0040), 0x0000] where !patterns.contains(where: { $0.matches(candidate) }) { return candidate }
        for candidate in UInt16(1)...UInt16.max where !patterns.contains(where: { $0.matches(candidate) }) { return candidate }
        return 0
    }

    /// The fixed value an identity register reads: derived from its address, never 0.
    public static func identityValue(_ register: UInt16) -> UInt16 {
        register == 0 ? 0x0100 : register
    }

    /// What the status word's running bits say: run commanded or the motor still turning.
    public var isRunning: Bool { runCommanded || outputHz > 0 }

    /// Whether run commands are obeyed: the start-up sequence (if any) has been completed.
    public var isEnabled: Bool { sequenceState >= profile.startSequence.count }

    public func read(address: UInt16) -> UInt16 { registers[address] ?? 0 }

    /// The value the drive works with: for apply-gated registers the last applied one.
    public func active(address: UInt16) -> UInt16 {
        gated.contains(address) ? applied[address] ?? 0 : read(address: address)
    }

    /// The Modbus exception the drive answers a request with this function code with, or
    /// nil when it serves it: FC16-only drives refuse FC06 with exception 01.
    public func refusal(function: Int) -> Int? {
        if function == 6, profile.writeFunction == .multiple { return Self.illegalFunction }
        return nil
    }

    // MARK: Rates and timeouts as programmed in the registers

    /// Acceleration in Hz/s from the accel time register.
    public var accelRateHzPerSecond: Double { rate(profile.accelTimeRegister) }
    /// Deceleration in Hz/s from the decel time register.
    public var decelRateHzPerSecond: Double { rate(profile.decelTimeRegister) }

    private func rate(_ register: UInt16?) -> Double {
        let counts = register.map { active(address: $0) } ?? 0
        let seconds = counts == 0 ? Self.defaultRampTime : Double(counts) * profile.rampTimeUnit
        return profile.rampFullScaleHz / seconds
    }

    /// The comm-loss timeout the drive works with, nil when off (0, or a packed field that
    /// does not hold the profile's value).
    public var commLossTimeout: Duration? {
        switch profile.commLoss {
        case .registers(let r):
            let counts = active(address: r.timeoutRegister)
            guard counts > 0 else { return nil }
            return .fractionalSeconds(Double(counts) * r.timeoutUnit)
        case .field(let f):
            return f.holds(in: active(address: f.register)) ? profile.commLossTimeout : nil
        }
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

        if let a = profile.apply, address == a.register, value == a.value {
            for r in gated { applied[r] = registers[r] ?? 0 }
        }
        let completedSequence = stepSequence(address: address, value: value)
        if address == profile.commandRegister {
            switch value {
            case profile.stop:
                runCommanded = false
            case profile.runForward, profile.runReverse:
                if tripCode == nil, isEnabled || completedSequence {
                    runCommanded = true
                    if profile.reverseBySign {
                        commandedDirection = referenceNegative ? .reverse : .forward
                    } else {
                        commandedDirection = value == profile.runForward ? .forward : .reverse
                    }
                }
            default:
                break
            }
        }
        if address == profile.referenceRegister {
            // Drives that reverse by the reference sign read it as two's complement.
            let signed = profile.reverseBySign ? Int(Int16(bitPattern: value)) : Int(value)
            let hz = Double(abs(signed)) * profile.referenceUnitHz
            if hz <= profile.maxFrequencyHz + 1e-9 {
                referenceHz = hz
                if profile.reverseBySign {
                    referenceNegative = signed < 0
                    if runCommanded { commandedDirection = referenceNegative ? .reverse : .forward }
                }
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

    /// Moves the start-up state machine on a write; returns whether this write completed it.
    private mutating func stepSequence(address: UInt16, value: UInt16) -> Bool {
        let steps = profile.startSequence
        guard !steps.isEmpty else { return false }
        let wasEnabled = isEnabled
        // Enabled, a run or stop command keeps the drive enabled (ATV: 0x000F, 0x080F, 0x010F).
        if wasEnabled, address == profile.commandRegister, [profile.runForward, profile.runReverse, profile.stop].contains(value) {
            return false
        }
        // The furthest step this write can reach: step k needs state k-1 or later.
        guard tripCode == nil,
              let k = steps.indices.reversed().first(where: { steps[$0].register == address && steps[$0].value == value && sequenceState >= $0 })
        else { return false }
        sequenceState = k + 1
        if !isEnabled { runCommanded = false }
        return !wasEnabled && isEnabled
    }

    /// Raises a drive fault (an injected trip): the output is switched off and the motor
    /// coasts, the run command is dropped and a start-up sequence must be run again.
    public mutating func trip(code: Int, at now: Instant) {
        advance(to: now)
        tripCode = code
        runCommanded = false
        outputHz = 0
        sequenceState = 0
        refreshStatus()
    }

    // MARK: A lying drive

    /// From `now` on the motor runs at `factor` x the reference (1 = honest).
    public mutating func setOverspeed(_ factor: Double, at now: Instant) {
        advance(to: now)
        overspeedFactor = factor
        refreshStatus()
    }

    /// Freezes the status registers at their words as of `now`, or lets them live again.
    public mutating func freeze(_ on: Bool, at now: Instant) {
        advance(to: now)
        if !on {
            frozenStatus = nil
        } else if frozenStatus == nil {
            frozenStatus = Dictionary(uniqueKeysWithValues: statusAddresses.map { ($0, read(address: $0)) })
        }
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
        // A packed field is armed only while it holds the profile's value: trip and ramp.
        var coast = false
        if let r = profile.commLossRegisters {
            let action = active(address: r.actionRegister)
            if action != r.actionValue {
                if Self.commLossKeepRunningValues.contains(action) {
                    commLossWarning = true
                    return
                }
                coast = action == Self.commLossCoastValue
            }
        }
        tripCode = profile.commLossFaultCode ?? Self.defaultCommLossFaultCode
        runCommanded = false
        sequenceState = 0
        if coast { outputHz = 0 }
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
            let target = (wantsRun && commandedDirection == direction) ? referenceHz * overspeedFactor : 0
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

    /// The main status word (the state register) as the profile's patterns describe it.
    public var statusWord: UInt16 { statusWord(profile.stateRegister) }

    /// The word of one status register: the start-up sequence's bits, the fault code if it
    /// shares the register, then each status pattern made to match exactly when it holds.
    public func statusWord(_ register: UInt16) -> UInt16 {
        var word: UInt16 = 0
        var owned: UInt16 = 0
        if let initial = sequenceInitial[register] {
            word = initial
            for step in profile.startSequence.prefix(sequenceState) {
                guard let e = step.expect, (e.register ?? profile.stateRegister) == register else { continue }
                word = word & ~e.mask | e.value
            }
            owned = sequenceMask[register] ?? 0
        }
        if register == profile.faultCodeRegister {
            word = word & ~profile.faultCodeMask | faultCodeBits
            owned |= profile.faultCodeMask
        }
        var conditions: [(DriveProfile.BitPattern, Bool)] = [(profile.running, isRunning), (profile.reverse, direction == .reverse)]
        if let z = profile.zeroSpeed { conditions.append((z, outputHz == 0)) }
        if let f = profile.faultBit { conditions.append((f, tripCode != nil)) }
        conditions = conditions.filter { ($0.0.register ?? profile.stateRegister) == register }
        for (p, holds) in conditions where holds {
            word = word & ~p.mask | p.value
            owned |= p.mask
        }
        // A pattern that does not hold must not match: flip one of its bits that neither the
        // start-up sequence nor a holding pattern owns.
        for (p, holds) in conditions where !holds && p.matches(word) {
            let free = p.mask & ~owned
            guard free != 0 else { continue }
            let bit = free & (~free &+ 1)
            word ^= bit
            owned |= bit
        }
        return word
    }

    /// The output frequency register: counts of `outputUnitHz`, negative in reverse if signed.
    public var outputWord: UInt16 {
        let counts = Int((outputHz / profile.outputUnitHz).rounded())
        if profile.outputSigned, direction == .reverse {
            return UInt16(bitPattern: Int16(clamping: -counts))
        }
        return profile.outputSigned ? UInt16(bitPattern: Int16(clamping: counts)) : UInt16(clamping: counts)
    }

    /// The trip code placed in the fault code register's `faultCodeMask` bits (clamped to
    /// what they can hold).
    private var faultCodeBits: UInt16 {
        let mask = profile.faultCodeMask
        let shift = mask.trailingZeroBitCount
        let code = UInt16(clamping: min(tripCode ?? 0, Int(mask >> shift)))
        return code << shift & mask
    }

    private mutating func refreshStatus() {
        for i in profile.identity { registers[i.register] = Self.identityValue(i.register) }
        if let frozenStatus {
            // Also undoes a master's write to a status register, as when live.
            for (r, v) in frozenStatus { registers[r] = v }
            return
        }
        for r in statusAddresses where r != profile.outputFrequencyRegister { registers[r] = statusWord(r) }
        registers[profile.outputFrequencyRegister] = outputWord
    }

    /// Every register the drive computes (status, output frequency, identity): what a server
    /// must refresh as time passes.
    public var computedRegisters: [UInt16] { statusAddresses + profile.identity.map(\.register) }
}
