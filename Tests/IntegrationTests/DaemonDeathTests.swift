import Foundation
import Glibc
import Testing
import TreadHardware
import TreadProtocol

/// treadd itself failing while the belt runs: killed (a crash, an OOM kill, power to the board
/// lost) or frozen (SIGSTOP, a hung kernel call). Nothing of treadd can stop the belt then; the
/// drive's own comm-loss watchdog, which treadd arms at connect, must. treadsim's record of the
/// drive shows it.
@Suite(.serialized)
struct DaemonDeathTests {
    /// A session running forwards at 2 km/h; returns the rig and its event stream.
    func runningRig() throws -> (TestRig, EventStream) {
        let rig = try TestRig(transport: .tcp, programs: ["long-forward": TestRig.longForward])
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("start", "long-forward")
        try events.awaitStatus("belt up to speed") { $0.direction == "forward" && ($0.beltSpeedKmh ?? -1) >= 1.5 }
        return (rig, events)
    }

    @Test func aKilledDaemonLeavesTheDriveToStopTheBeltOnItsCommLossTimeout() throws {
        let (rig, _) = try runningRig()
        let profile = FaultInjectionTests.delta
        try rig.killDaemon()
        // The watchdog (0.5 s) trips, then the drive ramps 6 Hz down at its programmed rate.
        let took = try #require(try SimControl.secondsUntilAtRest(at: rig.controlPath, within: 15), "the belt still runs 15 s after treadd was killed")
        #expect(took < 10, "the drive took \(took) s to stop")
        let log = try rig.simLog()
        let trip = profile.commLossFaultCode ?? 58
        #expect(log.states.contains { $0.trip == trip }, "the drive never tripped on comm loss (\(trip))")
        #expect(log.states.last?.outputHz == 0)
    }

    @Test func aFrozenDaemonLeavesTheDriveToStopAndOnWakingLatchesAFaultWithoutRestartingTheBelt() throws {
        let (rig, events) = try runningRig()
        let pid = rig.daemon.process.processIdentifier
        kill(pid, SIGSTOP)
        let took = try SimControl.secondsUntilAtRest(at: rig.controlPath, within: 15)
        kill(pid, SIGCONT)
        #expect(took != nil, "the belt still runs 15 s after treadd was frozen")

        // Awake again, treadd sees what happened and latches it; the belt stays still.
        let faulted = try events.awaitStatus("fault latched after waking", timeout: 20) { $0.state == "fault" }
        #expect(faulted.enable == false)
        let code = try #require(faulted.fault?.code)
        // The first thing treadd sees on waking is its own last drive report, seconds old:
        // drive_stale; or, if the drive thread ran first, its expired setpoint (control_stalled:
        // treadd's loop did stall), the drive's comm-loss trip, or an outage.
        #expect(["drive_stale", "control_stalled", "drive_fault", "drive_offline"].contains(code), "fault: \(String(describing: faulted.fault))")
        let state = try SimControl.state(at: rig.controlPath)
        #expect(state["run_commanded"] as? Bool == false, "treadd restarted the belt: \(state)")
        #expect(state["output_hz"] as? Double == 0)
    }
}
