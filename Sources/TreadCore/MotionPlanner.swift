/// What the session wants the belt to do.
public enum MotionTarget: Hashable, Sendable {
    case stop
    case move(Direction, Speed)
}

/// What the drive should be told this tick. Direction is explicit in every run command.
public enum DriveSetpoint: Hashable, Sendable {
    case stop
    case run(Direction, Speed)
}

/// Shapes belt motion: ramps the speed reference within the acceleration limits and performs
/// every change of direction through a verified standstill.
///
/// States:
/// - `stopped`: a stop is commanded and the drive has reported zero output.
/// - `running(d)`: a run command in direction `d` with a reference ramping toward the target.
/// - `rampingDown(d)`: the reference falls at the deceleration limit; at zero a stop is written.
/// - `awaitingZero`: stop written; waiting for the *drive* to report zero output frequency.
/// - `dwelling(d, until)`: standstill verified, the direction change announced; nothing moves.
/// - `ready(d)`: dwell done, waiting for permission (the rails) to start in `d`.
///
/// Starting from standstill always begins at the start speed. A move in the other direction
/// from `running` goes rampingDown -> awaitingZero -> stopped -> dwelling -> ready -> running;
/// there is no other path from one direction to the other.
public struct MotionPlanner: Hashable, Sendable {
    public enum Phase: Hashable, Sendable {
        case stopped
        case running(Direction)
        case rampingDown(Direction)
        case awaitingZero
        case dwelling(Direction, until: Instant)
        case ready(Direction)
    }

    public enum Event: Hashable, Sendable {
        case standstillReached
        case dwellStarted(Direction, Duration)
        case waitingForPermission(Direction)
        case started(Direction)
    }

    public let limits: MachineLimits
    public private(set) var phase: Phase = .stopped
    /// The ramped speed reference, as last commanded.
    public private(set) var reference: Speed = .zero
    /// Direction of the last run, so a start the other way is recognised as a reversal.
    public private(set) var lastDirection: Direction?
    var lastUpdate: Instant?
    var announcedWait = false

    public init(limits: MachineLimits) { self.limits = limits }

    /// The direction the belt is, or is about to be, moving in; nil at standstill.
    public var movingDirection: Direction? {
        switch phase {
        case .running(let d), .rampingDown(let d): return d
        case .stopped, .awaitingZero, .dwelling, .ready: return nil
        }
    }

    public var setpoint: DriveSetpoint {
        switch phase {
        case .running(let d), .rampingDown(let d): return reference > .zero ? .run(d, reference) : .stop
        case .stopped, .awaitingZero, .dwelling, .ready: return .stop
        }
    }

    /// Advances one control tick.
    /// - Parameters:
    ///   - standstill: the drive reports (near) zero output frequency.
    ///   - mayStart: permission to start moving from standstill in the target direction
    ///     (false while a reverse segment waits for the rails).
    public mutating func update(target: MotionTarget, standstill: Bool, mayStart: Bool, at now: Instant) -> [Event] {
        let dt = lastUpdate.map { max(.zero, now - $0).inSeconds } ?? 0
        lastUpdate = now
        var events: [Event] = []
        switch phase {
        case .running(let d):
            if case .move(d, let speed) = target {
                reference = ramp(reference, toward: speed, dt: dt)
            } else {
                phase = .rampingDown(d)
                rampDown(dt: dt)
            }
        case .rampingDown(let d):
            if case .move(d, let speed) = target {
                phase = .running(d)
                reference = ramp(reference, toward: speed, dt: dt)
            } else {
                rampDown(dt: dt)
            }
        case .awaitingZero:
            if standstill {
                phase = .stopped
                events.append(.standstillReached)
                events += startIfWanted(target, standstill: standstill, mayStart: mayStart, now: now)
            }
        case .stopped:
            events += startIfWanted(target, standstill: standstill, mayStart: mayStart, now: now)
        case .dwelling(let d, let until):
            guard case .move(d, _) = target else { phase = .stopped; break }
            guard standstill else { phase = .awaitingZero; break }
            if now >= until {
                lastDirection = d
                phase = .ready(d)
                events += startIfWanted(target, standstill: standstill, mayStart: mayStart, now: now)
            }
        case .ready(let d):
            guard case .move(d, _) = target else { phase = .stopped; break }
            events += startIfWanted(target, standstill: standstill, mayStart: mayStart, now: now)
        }
        return events
    }

    private mutating func rampDown(dt: Double) {
        reference = Speed(kmh: max(0, reference.kmh - limits.deceleration * dt))
        if reference.kmh <= 0 {
            reference = .zero
            phase = .awaitingZero
        }
    }

    private mutating func startIfWanted(_ target: MotionTarget, standstill: Bool, mayStart: Bool, now: Instant) -> [Event] {
        guard case .move(let d, let speed) = target else {
            phase = .stopped
            return []
        }
        guard standstill else {
            phase = .awaitingZero
            return []
        }
        if let last = lastDirection, last != d, phase != .ready(d) {
            phase = .dwelling(d, until: now + limits.directionDwell)
            announcedWait = false
            return [.dwellStarted(d, limits.directionDwell)]
        }
        guard mayStart else {
            phase = .ready(d)
            if announcedWait { return [] }
            announcedWait = true
            return [.waitingForPermission(d)]
        }
        announcedWait = false
        lastDirection = d
        phase = .running(d)
        reference = min(limits.startSpeed, speed)
        return [.started(d)]
    }

    private func ramp(_ from: Speed, toward to: Speed, dt: Double) -> Speed {
        if to > from { return Speed(kmh: min(to.kmh, from.kmh + limits.acceleration * dt)) }
        return Speed(kmh: max(to.kmh, from.kmh - limits.deceleration * dt))
    }

    /// Forces an immediate stop command (e-stop, fault): the reference drops to zero at once
    /// and the planner waits for the drive to report standstill before anything else.
    public mutating func halt() {
        reference = .zero
        if phase != .stopped { phase = .awaitingZero }
    }
}
