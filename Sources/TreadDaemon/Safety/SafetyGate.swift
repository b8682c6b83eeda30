import TreadCore
import TreadHardware

/// The one place the enable output and the drive's setpoint are written, by two threads: the
/// safety thread trips it on an edge, the control loop applies its commands through it.
///
/// A trip drops enable and puts a priority stop on the drive at once, then holds both off
/// until the control loop has latched a fault from readings taken after the trip. That closes
/// the race where a tick computed from readings just before the edge would re-energise the
/// relay after the safety thread dropped it. The monitor hands every trip to the core with
/// the next readings, so a hold always ends in a latched fault, and while it lasts its reason
/// is shown in status.
///
/// A write of the enable output that fails stops the drive here, at once, and is handed to
/// the core with the next tick, which latches it: the relay's state is then unknown, and
/// unknown is never taken for off.
public final class SafetyGate: @unchecked Sendable {
    private struct State {
        var latch = GateLatch()
        /// The first failed enable write since the last take.
        var outputFailure: String?
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
    func trip(_ reason: Fault) {
        state.withLock { s in
            s.latch.trip(reason)
            write(false, &s)
            drive.stopNow()
        }
    }

    /// Trips so far; read together with the readings that include them.
    var trips: Int { state.withLock { $0.latch.trips } }

    /// Why the gate holds the belt stopped, while it does.
    var hold: Fault? { state.withLock { $0.latch.hold } }

    /// The first enable write that failed since the last call, for the next tick.
    func takeOutputFailure() -> String? {
        state.withLock { s in
            defer { s.outputFailure = nil }
            return s.outputFailure
        }
    }

    /// Applies one tick's commands. `latched` says the core holds a fault after a step on
    /// readings taken when `seen` trips had happened; only then is the trip released.
    func apply(_ commands: Commands, latched: Bool, seen: Int) {
        state.withLock { s in
            let out = s.latch.pass(commands, latched: latched, seen: seen)
            // Enable off goes out before the drive stop; enable on before the run command.
            let written = write(out.enable, &s)
            drive.post(written ? out.drive : .stop, resetFault: out.resetFault)
        }
        // Outside the gate: the woken drive thread must not hold up a trip (DriveLink.post).
        drive.wake()
    }

    /// Final state at shutdown. Returns the failure when the relay could not be de-energised.
    @discardableResult
    func deenergise() -> String? {
        state.withLock { s in
            write(false, &s)
            drive.submit(.stop)
            return s.outputFailure
        }
    }

    @discardableResult
    private func write(_ on: Bool, _ s: inout State) -> Bool {
        do throws(OutputError) {
            try enable.set(on)
            return true
        } catch {
            if s.outputFailure == nil { s.outputFailure = error.description }
            if on { try? enable.set(false) }
            drive.stopNow()
            return false
        }
    }
}
