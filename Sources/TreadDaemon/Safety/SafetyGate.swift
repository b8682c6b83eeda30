import TreadCore
import TreadHardware

/// The one place the enable output and the drive's setpoint are written, by two threads: the
/// safety thread trips it on an edge, the control loop applies its commands through it.
///
/// A trip drops enable and puts a priority stop on the drive at once, then holds both off
/// until the control loop has latched a fault from readings taken after the trip. That closes
/// the race where a tick computed from readings just before the edge would re-energise the
/// relay after the safety thread dropped it.
public final class SafetyGate: @unchecked Sendable {
    private struct State {
        var trips = 0
        var acknowledged = 0
    }

    private let enable: EnableOutput
    private let drive: DriveLink
    private let state = Locked(State())

    public init(enable: EnableOutput, drive: DriveLink) {
        self.enable = enable
        self.drive = drive
    }

    /// Called by the safety thread, under the monitor's lock; never blocks on I/O beyond the
    /// enable line's write.
    func trip() {
        state.withLock { s in
            s.trips += 1
            enable.set(false)
            drive.stopNow()
        }
    }

    /// Trips so far; read together with the readings that include them.
    var trips: Int { state.withLock { $0.trips } }

    public var isHeld: Bool { state.withLock { $0.trips > $0.acknowledged } }

    /// Applies one tick's commands. `latched` says the core holds a fault after a step on
    /// readings taken when `seen` trips had happened; only then is the trip released.
    func apply(_ commands: Commands, latched: Bool, seen: Int) {
        state.withLock { s in
            if latched { s.acknowledged = max(s.acknowledged, seen) }
            let held = s.trips > s.acknowledged
            // Enable off goes out before the drive stop; enable on before the run command.
            enable.set(commands.enable && !held)
            drive.submit(held ? .stop : commands.drive, resetFault: commands.resetDriveFault && !held)
        }
    }

    /// Final state at shutdown.
    func deenergise() {
        state.withLock { _ in
            enable.set(false)
            drive.submit(.stop)
        }
    }
}
