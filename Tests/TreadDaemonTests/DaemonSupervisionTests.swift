import Foundation
import Testing
import TreadTesting
import TreadCore
import TreadHardware
import TreadProtocol
@testable import TreadDaemon

/// The daemon supervising its own edges: an input thread that stops ticking, an enable output
/// that cannot be written, the enable watchdog's pulses, and a shutdown that keeps acting on
/// the inputs until the belt is verified stopped. The in-process simulator is the drive.
@Suite(.serialized) struct DaemonSupervisionTests {
    /// An output line that records every write (the charge-pump pulse line).
    final class RecordingOutput: EnableOutput, @unchecked Sendable {
        private let writes = Locked<[Bool]>([])
        func set(_ energised: Bool) throws(OutputError) { writes.withLock { $0.append(energised) } }
        var isEnergised: Bool { writes.withLock { $0.last ?? false } }
        var count: Int { writes.withLock { $0.count } }
        /// Level changes among the writes since `index`.
        func edges(since index: Int) -> Int {
            writes.withLock { w in
                let tail = Array(w.dropFirst(max(0, index - 1)))
                return zip(tail, tail.dropFirst()).filter { $0 != $1 }.count
            }
        }
    }

    func startDemo(_ rig: SocketServerTests.Rig) throws {
        let program = try #require(rig.daemon.programs.programs["demo"])
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.drive == "online" })
        #expect(rig.submit(.start(program)) == nil)
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.enable.isEnergised }, "the session never energised the enable output")
    }


    /// A control loop that stops ticking mid-run: the drive link stops the drive on its own
    /// once the setpoint expires, and the fault names treadd's loop, never the drive.
    @Test func aStalledControlLoopIsReportedAsItselfNotAsTheDrive() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        try startDemo(rig)
        #expect(eventually(timeout: .seconds(10)) { rig.sim.paused { $0.simulator.runCommanded } }, "the drive never got a run")
        rig.daemon.control.stallForTesting(true)
        try #require(eventually { rig.daemon.control.isStalledForTesting }, "the loop did not stall")
        #expect(eventually(timeout: .seconds(5)) { !rig.sim.paused { $0.simulator.runCommanded } },
                "the drive link did not stop the drive when the setpoint expired")
        rig.daemon.control.stallForTesting(false)
        #expect(eventually(timeout: .seconds(5)) { rig.daemon.control.status.state == "fault" })
        let fault = try #require(rig.daemon.control.status.fault)
        #expect(fault.code == "control_stalled", "\(fault)")
        #expect(fault.message.contains("control loop"), "\(fault.message)")
        #expect(!fault.message.contains("not answering"), "\(fault.message)")
        // The drive answered all along: a reset is accepted, and nothing moves by itself.
        #expect(rig.submit(.reset) == nil)
        #expect(eventually { rig.daemon.control.status.state == "idle" })
    }

    @Test func anInputThreadThatStopsTickingHasEveryLineLost() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        try startDemo(rig)
        let sim = try #require(rig.daemon.inputs as? SimulatedInputs)
        sim.haltThread()
        #expect(eventually(timeout: .seconds(5)) { rig.daemon.control.status.state == "fault" })
        let fault = try #require(rig.daemon.control.status.fault)
        #expect(fault.code == "sensor")
        #expect(fault.message.contains("has not ticked"), "\(fault.message)")
        #expect(!rig.daemon.enable.isEnergised)
        // The watchdog would be withheld: the input thread is named as stalled.
        let named = Daemon.stalledThread(drive: rig.daemon.drive, driveBound: rig.daemon.config.feedbackBound, inputs: sim,
                                         at: MonotonicClock.now())
        #expect(named == "input thread")
        // Reset is refused while the lines stay lost.
        #expect(rig.submit(.reset)?.code == "cause_persists")
    }

    @Test func aFailedEnableWriteLatchesAFaultAndShowsTheRelayUnknown() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        try startDemo(rig)
        let enable = try #require(rig.daemon.enable as? SimulatedEnableOutput)
        enable.failing = true
        #expect(eventually(timeout: .seconds(5)) { rig.daemon.control.status.state == "fault" })
        let status = rig.daemon.control.status
        #expect(status.fault?.code == "enable_output")
        #expect(status.enable == nil, "a relay that could not be written is unknown, not off")
        // The drive was told to stop: the belt runs down under the drive's own ramp.
        #expect(eventually(timeout: .seconds(10)) { rig.sim.paused { $0.simulator.outputHz } == 0 })
        enable.failing = false
        #expect(eventually(timeout: .seconds(5)) { rig.daemon.control.status.enable == false })
    }

    @Test func theEnableWatchdogPulsesOnlyWhileTorqueIsAllowed() throws {
        let pulse = RecordingOutput()
        let rig = try SocketServerTests.Rig(parts: Daemon.Parts(enableWatchdog: pulse))
        defer { rig.close() }
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.drive == "online" })
        let idleMark = pulse.count
        #expect(eventually(timeout: .seconds(2)) { pulse.count > idleMark + 10 })
        #expect(pulse.edges(since: idleMark) == 0, "no pulses while idle: the relay must be able to drop")
        try startDemo(rig)
        let runMark = pulse.count
        #expect(eventually(timeout: .seconds(2)) { pulse.edges(since: runMark) >= 10 }, "a running belt pulses every tick")
        let sim = try #require(rig.daemon.inputs as? SimulatedInputs)
        sim.set(.estop, false)
        #expect(eventually(timeout: .seconds(5)) { rig.daemon.control.status.state == "fault" })
        let faultMark = pulse.count
        #expect(eventually(timeout: .seconds(2)) { pulse.count > faultMark + 10 })
        #expect(pulse.edges(since: faultMark + 1) == 0 && !pulse.isEnergised, "a fault stops the pulses, line low")
    }

    /// SIGTERM mid-session: control requests are refused from the first moment, the belt is
    /// brought down under control, and an e-stop pressed during that ramp still trips at once.
    @Test func aShutdownRefusesControlAndStillActsOnAnEstop() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        try startDemo(rig)
        #expect(eventually(timeout: .seconds(15)) { (rig.daemon.control.status.beltSpeedKmh ?? 0) > 1.5 })
        let stopped = DispatchSemaphore(value: 0)
        let daemon = rig.daemon
        Thread { daemon.stop(); stopped.signal() }.start()
        #expect(eventually(timeout: .seconds(5)) { rig.daemon.control.lifecycle == .stopping })
        let program = try #require(rig.daemon.programs.programs["demo"])
        #expect(rig.submit(.start(program)) == .shuttingDown)
        #expect(rig.submit(.resume) == .shuttingDown)
        let sim = try #require(rig.daemon.inputs as? SimulatedInputs)
        #expect((rig.daemon.control.status.beltSpeedKmh ?? 0) > 0.3, "the belt is still running down")
        sim.set(.estop, false)
        #expect(!rig.daemon.enable.isEnergised, "the e-stop is acted on in its own call during the shutdown")
        #expect(eventually(timeout: .seconds(5)) { rig.daemon.control.status.fault?.code == "estop" })
        #expect(stopped.wait(timeout: .now() + 30) == .success)
        #expect(rig.daemon.control.lifecycle == .stopped)
    }
}
