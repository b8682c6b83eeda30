@testable import TreadCore

/// A simulated motor drive and belt. The belt speed follows the drive setpoint at the
/// machine's acceleration (speeding up) or deceleration (slowing down); with enable off or a
/// stop command it runs down to zero. It never reverses without passing through zero.
struct FakeBelt {
    let limits: MachineLimits
    /// Signed belt speed in km/h: forward positive, reverse negative.
    private(set) var velocity: Double = 0

    init(limits: MachineLimits) { self.limits = limits }

    var speed: Speed { .kmh(abs(velocity)) }

    var feedback: DriveFeedback {
        let dir: Direction? = velocity > 0 ? .forward : velocity < 0 ? .reverse : nil
        return .online(DriveReport(beltSpeed: speed, direction: dir, running: velocity != 0))
    }

    mutating func apply(_ commands: Commands, for dt: Duration) {
        var target = 0.0
        if commands.enable, case .run(let d, let s) = commands.drive {
            target = d == .forward ? s.kmh : -s.kmh
        }
        let seconds = dt.inSeconds
        let speedingUp = abs(target) > abs(velocity) && (velocity == 0 || (target > 0) == (velocity > 0))
        if speedingUp {
            let step = limits.acceleration * seconds
            velocity = target > velocity ? min(target, velocity + step) : max(target, velocity - step)
        } else {
            // Slow toward the target, or toward zero first when the target is the other way.
            let goal = (target != 0 && (target > 0) != (velocity > 0)) ? 0 : target
            let step = limits.deceleration * seconds
            velocity = goal > velocity ? min(goal, velocity + step) : max(goal, velocity - step)
        }
    }
}
