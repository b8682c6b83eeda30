/// Limits that configuration cannot exceed, whatever a technician writes.
///
/// People switch from backward walking to backward running at about 5.9 km/h, so reverse is
/// capped at 6 km/h; a rail-release grace longer than 3 s lets a falling member travel too far.
public enum HardLimits {
    public static let maxReverseSpeed = Speed.kmh(6.0)
    public static let maxForwardSpeed = Speed.kmh(25.0)
    public static let maxStartSpeed = Speed.kmh(1.6)
    public static let maxAcceleration = 3.0  // km/h per second
    public static let maxDeceleration = 5.0  // km/h per second
    public static let maxRailGrace = Duration.seconds(3)
    public static let minDirectionDwell = Duration.seconds(1)
    /// Commercial treadmills' incline motors reach 15%.
    public static let maxIncline = 15.0
    /// The speed supervisor's allowances: a drive may read this far above a limit, this far
    /// from its reference and for this long, and no further, whatever the config says.
    public static let maxOverspeedMargin = Speed.kmh(1.5)
    public static let maxTrackingTolerance = Speed.kmh(2.0)
    public static let maxTrackingTime = Duration.seconds(5)
}

/// The machine's configured motion limits. Requests beyond them are rejected, never clamped.
public struct MachineLimits: Hashable, Sendable {
    public var maxForwardSpeed: Speed
    public var maxReverseSpeed: Speed
    /// Speed a belt starts at from standstill before ramping (commercial machines: 0.8-1.6 km/h).
    public var startSpeed: Speed
    /// km/h per second, applied to the speed reference in both directions.
    public var acceleration: Double
    public var deceleration: Double
    /// Pause at verified standstill before the belt starts the other way; announced to the member.
    public var directionDwell: Duration
    /// Reported belt speed at or below which the drive counts as stopped.
    public var standstill: Speed
    /// Time a member may let go of the rails in reverse before the belt is stopped.
    public var railGrace: Duration
    /// Steepest incline the machine's incline motor reaches, in percent; 0 for a flat machine,
    /// which then refuses any program that asks for an incline.
    public var maxIncline: Double = 0
    /// How far above a direction's limit the reported speed may read (calibration error,
    /// rounding) before it is an overspeed fault.
    public var overspeedMargin: Speed = .kmh(0.5)
    /// How far the reported speed may be from the reference: the larger of this and
    /// `trackingShare` of the reference.
    public var trackingTolerance: Speed = .kmh(1.0)
    public var trackingShare: Double = 0.2
    /// How long the reported speed may stay outside the tolerance before it is a fault.
    public var trackingTime: Duration = .seconds(3)

    public init(
        maxForwardSpeed: Speed = .kmh(16), maxReverseSpeed: Speed = .kmh(4), startSpeed: Speed = .kmh(1.0),
        acceleration: Double = 1.0, deceleration: Double = 1.5, directionDwell: Duration = .seconds(3),
        standstill: Speed = .kmh(0.05), railGrace: Duration = .seconds(1)
    ) {
        self.maxForwardSpeed = maxForwardSpeed
        self.maxReverseSpeed = maxReverseSpeed
        self.startSpeed = startSpeed
        self.acceleration = acceleration
        self.deceleration = deceleration
        self.directionDwell = directionDwell
        self.standstill = standstill
        self.railGrace = railGrace
    }

    public func maxSpeed(_ direction: Direction) -> Speed {
        direction == .forward ? maxForwardSpeed : maxReverseSpeed
    }

    /// Every way these limits break the hard limits, as (key, message) pairs; empty when sound.
    public func violations() -> [(key: String, message: String)] {
        var out: [(String, String)] = []
        func check(_ ok: Bool, _ key: String, _ message: String) { if !ok { out.append((key, message)) } }
        check(maxReverseSpeed.kmh > 0 && maxReverseSpeed <= HardLimits.maxReverseSpeed, "max_reverse_kmh",
              "must be above 0 and at most the hard limit of \(HardLimits.maxReverseSpeed), got \(maxReverseSpeed)")
        check(maxForwardSpeed.kmh > 0 && maxForwardSpeed <= HardLimits.maxForwardSpeed, "max_forward_kmh",
              "must be above 0 and at most the hard limit of \(HardLimits.maxForwardSpeed), got \(maxForwardSpeed)")
        check(startSpeed.kmh > 0 && startSpeed <= HardLimits.maxStartSpeed, "start_kmh",
              "must be above 0 and at most \(HardLimits.maxStartSpeed), got \(startSpeed)")
        check(startSpeed <= maxReverseSpeed && startSpeed <= maxForwardSpeed, "start_kmh",
              "must not exceed either direction's maximum speed")
        check(acceleration > 0 && acceleration <= HardLimits.maxAcceleration, "accel_kmh_per_s",
              "must be above 0 and at most \(HardLimits.maxAcceleration) km/h per s, got \(acceleration)")
        check(deceleration > 0 && deceleration <= HardLimits.maxDeceleration, "decel_kmh_per_s",
              "must be above 0 and at most \(HardLimits.maxDeceleration) km/h per s, got \(deceleration)")
        check(directionDwell >= HardLimits.minDirectionDwell, "direction_dwell_s",
              "must be at least \(HardLimits.minDirectionDwell.inSeconds) s")
        check(railGrace >= .zero && railGrace <= HardLimits.maxRailGrace, "rail_grace_s",
              "must be between 0 and the hard limit of \(HardLimits.maxRailGrace.inSeconds) s")
        check(maxIncline >= 0 && maxIncline <= HardLimits.maxIncline, "max_incline_pct",
              "must be between 0 (no incline) and \(HardLimits.maxIncline)%, got \(maxIncline)")
        check(standstill.kmh > 0 && standstill < startSpeed, "standstill_kmh",
              "must be above 0 and below the start speed")
        check(overspeedMargin.kmh > 0 && overspeedMargin <= HardLimits.maxOverspeedMargin, "overspeed_margin_kmh",
              "must be above 0 and at most the hard limit of \(HardLimits.maxOverspeedMargin), got \(overspeedMargin)")
        check(trackingTolerance.kmh > 0 && trackingTolerance <= HardLimits.maxTrackingTolerance, "tracking_tolerance_kmh",
              "must be above 0 and at most the hard limit of \(HardLimits.maxTrackingTolerance), got \(trackingTolerance)")
        check(trackingTime > .zero && trackingTime <= HardLimits.maxTrackingTime, "tracking_time_s",
              "must be above 0 and at most \(HardLimits.maxTrackingTime.inSeconds) s, got \(trackingTime.inSeconds)")
        return out
    }
}

/// A reason a program cannot run on this machine, tied to the segment (and line) that breaks it.
public struct ProgramViolation: Hashable, Sendable, CustomStringConvertible {
    public var segmentIndex: Int
    public var line: Int?
    public var message: String

    public var description: String {
        (line.map { "line \($0): " } ?? "") + "segment \(segmentIndex + 1): " + message
    }
}

extension Program {
    /// Every segment that breaks the machine's limits. A program with any is refused whole.
    public func violations(against limits: MachineLimits) -> [ProgramViolation] {
        var out: [ProgramViolation] = []
        if segments.isEmpty {
            out.append(ProgramViolation(segmentIndex: 0, line: nil, message: "the program has no segments"))
        }
        var previous: Segment?
        for (i, s) in segments.enumerated() {
            defer { previous = s }
            let cap = limits.maxSpeed(s.direction)
            if s.speed > cap {
                out.append(ProgramViolation(segmentIndex: i, line: s.line,
                    message: "\(s.direction.rawValue) speed \(s.speed) is above the machine's \(s.direction.rawValue) limit of \(cap)"))
            }
            if s.speed < limits.startSpeed {
                out.append(ProgramViolation(segmentIndex: i, line: s.line,
                    message: "speed \(s.speed) is below the start speed of \(limits.startSpeed)"))
            }
            if s.duration <= .zero {
                out.append(ProgramViolation(segmentIndex: i, line: s.line, message: "duration must be above 0 s"))
            }
            if let incline = s.incline, incline > 0 {
                if limits.maxIncline <= 0 {
                    out.append(ProgramViolation(segmentIndex: i, line: s.line, message: "incline \(incline)% asked, but this machine has no incline"))
                } else if incline > limits.maxIncline {
                    out.append(ProgramViolation(segmentIndex: i, line: s.line,
                        message: "incline \(incline)% is above the machine's limit of \(limits.maxIncline)%"))
                }
            }
            // The belt ramps at the machine's acceleration: from the start speed after a
            // standstill, else from the previous segment's speed. A segment too short to reach
            // its speed would never run at the speed it promises.
            if s.speed <= cap, s.duration > .zero {
                let from = previous.map { $0.direction == s.direction ? $0.speed : limits.startSpeed } ?? limits.startSpeed
                let ramp = max(0, s.speed.kmh - from.kmh) / limits.acceleration
                if ramp > s.duration.inSeconds {
                    out.append(ProgramViolation(segmentIndex: i, line: s.line,
                        message: "\(Int(s.duration.inSeconds.rounded())) s is too short to reach \(s.speed) at the machine's acceleration of \(formatKmh(limits.acceleration)) km/h per s (needs \(Int(ramp.rounded(.up))) s)"))
                }
            }
        }
        if let first = segments.first, first.direction != .forward {
            out.append(ProgramViolation(segmentIndex: 0, line: first.line, message: "a program must start forwards"))
        }
        return out
    }
}
