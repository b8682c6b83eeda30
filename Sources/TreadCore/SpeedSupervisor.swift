/// Compares the belt speed the drive reports with what treadd commanded, over time, and
/// names the fault when they part: the drive's report is the evidence, never trusted blindly
/// and never ignored. Modelled on Klipper's `verify_heater`, which shuts a heater down when the
/// measured temperature stops following the target.
///
/// A profile with a wrong scale, a drive whose speed reference is still its keypad, a drive
/// that ignores stop or starts by itself: each shows here as a reported speed that does not
/// follow the command, and each is a latched fault.
///
/// Watches, by what was last commanded:
/// - always: overspeed, a reported speed above the direction's limit plus `overspeedMargin`,
///   at once (the one reading is the evidence); a drive running the other way for longer than
///   `wrongDirectionTolerance`.
/// - a run command: tracking, the reported speed further than the tolerance from the
///   reference for longer than `trackingTime`.
/// - a stop while the belt moves: an envelope that starts at the speed seen when stop was
///   commanded and falls, after `stopGrace`, at half the configured deceleration; a reading
///   above it is a belt that rises or holds its speed while it should stop.
/// - a stop at verified standstill (idle, dwelling, waiting for the rails): any motion above
///   standstill for longer than `standMotionTime` is a belt moving by itself.
public struct SpeedSupervisor: Hashable, Sendable {
    /// What the core commanded and whether standstill had been verified under that command.
    public enum Command: Hashable, Sendable {
        case run(Direction, Speed)
        /// Stop, with the belt possibly still moving (ramping out, after a fault).
        case stopping
        /// Stop, with standstill verified since: nothing may move.
        case standing
    }

    enum Watch: Hashable, Sendable {
        case none
        case tracking(offSince: Instant?)
        case stopping(from: Speed, at: Instant)
        case standing(movingSince: Instant?)
    }

    public let limits: MachineLimits
    var watch: Watch = .none
    var wrongDirectionSince: Instant?
    /// The direction of the last run command: a drive that reports no direction is held to
    /// the limit of the way it was last sent.
    var lastRun: Direction?

    /// How long the drive may report the opposite direction, while clearly moving, before it
    /// is a fault. Covers the one status poll in flight when a run command changes.
    public static let wrongDirectionTolerance = Duration.milliseconds(500)
    /// A stop from speed begins with the drive's reply lag and its own ramp start.
    public static let stopGrace = Duration.seconds(1)
    /// The envelope falls at this share of the configured deceleration: a drive that slows at
    /// less than half the rate it was given is not stopping as told.
    public static let stopRateShare = 0.5
    /// A reading a little above the one that started the stop (noise, one poll in flight).
    public static let stopRiseTolerance = Speed.kmh(0.3)
    /// Motion at verified standstill for this long is a belt moving by itself; shorter rides
    /// out one stray reading.
    public static let standMotionTime = Duration.milliseconds(300)

    public init(limits: MachineLimits) { self.limits = limits }

    /// Checks one dated report against the command the drive is carrying out now (the one
    /// sent on the previous tick). Returns the fault to latch, if any.
    public mutating func check(_ report: DriveReport, commanded: Command, at now: Instant) -> Fault? {
        if case .run(let d, _) = commanded { lastRun = d }
        if let f = overspeed(report, commanded) { return f }
        if let f = wrongDirection(report, commanded, at: now) { return f }
        switch commanded {
        case .run(_, let reference): return tracking(report, reference, at: now)
        case .stopping:
            // Standstill was verified and nothing ran since: the planner waits for zero again
            // because the belt moved, and that motion is the fault, not a stop to ramp out.
            if case .standing = watch { return standing(report, at: now) }
            return stopping(report, at: now)
        case .standing:
            // Standstill counts as verified only once this supervisor saw it: a core that
            // starts up beside a belt still coasting holds it to the stopping envelope.
            if case .standing = watch { return standing(report, at: now) }
            if report.beltSpeed <= limits.standstill { return standing(report, at: now) }
            return stopping(report, at: now)
        }
    }

    /// Forgets what was being watched (the core left the state it was watched in).
    public mutating func reset() {
        watch = .none
        wrongDirectionSince = nil
    }

    private func overspeed(_ report: DriveReport, _ commanded: Command) -> Fault? {
        var direction = report.direction ?? lastRun ?? .forward
        if case .run(let d, _) = commanded, report.direction == nil { direction = d }
        let limit = Speed(kmh: limits.maxSpeed(direction).kmh + limits.overspeedMargin.kmh)
        return report.beltSpeed > limit ? .overspeed(direction, reported: report.beltSpeed, limit: limit) : nil
    }

    private mutating func wrongDirection(_ report: DriveReport, _ commanded: Command, at now: Instant) -> Fault? {
        guard case .run(let d, _) = commanded, let reported = report.direction, report.running, reported != d,
              report.beltSpeed > limits.standstill
        else {
            wrongDirectionSince = nil
            return nil
        }
        let since = wrongDirectionSince ?? now
        wrongDirectionSince = since
        return now - since >= Self.wrongDirectionTolerance ? .wrongDirection(commanded: d, reported: reported) : nil
    }

    private mutating func tracking(_ report: DriveReport, _ reference: Speed, at now: Instant) -> Fault? {
        var offSince: Instant? = nil
        if case .tracking(let s) = watch { offSince = s }
        let tolerance = max(limits.trackingTolerance.kmh, limits.trackingShare * reference.kmh)
        guard abs(report.beltSpeed.kmh - reference.kmh) > tolerance else {
            watch = .tracking(offSince: nil)
            return nil
        }
        let since = offSince ?? now
        watch = .tracking(offSince: since)
        return now - since >= limits.trackingTime ? .speedTracking(commanded: reference, reported: report.beltSpeed) : nil
    }

    private mutating func stopping(_ report: DriveReport, at now: Instant) -> Fault? {
        guard report.beltSpeed > limits.standstill else {
            // Standstill under a stop is verified standstill: from here any motion is the
            // belt moving by itself.
            watch = .standing(movingSince: nil)
            return nil
        }
        guard case .stopping(let from, let since) = watch else {
            watch = .stopping(from: report.beltSpeed, at: now)
            return nil
        }
        let falling = max(.zero, now - since - Self.stopGrace).inSeconds * Self.stopRateShare * limits.deceleration
        let envelope = from.kmh + Self.stopRiseTolerance.kmh - falling
        return report.beltSpeed.kmh > envelope ? .driveNotStopping(report.beltSpeed) : nil
    }

    private mutating func standing(_ report: DriveReport, at now: Instant) -> Fault? {
        guard report.beltSpeed > limits.standstill else {
            watch = .standing(movingSince: nil)
            return nil
        }
        var since = now
        if case .standing(let s?) = watch { since = s }
        watch = .standing(movingSince: since)
        return now - since >= Self.standMotionTime ? .beltMovingAtStandstill(report.beltSpeed) : nil
    }
}
