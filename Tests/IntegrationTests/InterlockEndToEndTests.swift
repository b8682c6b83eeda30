import Foundation
import Testing
import TreadProtocol

/// The rail interlock and the hard-stop inputs, end to end: simulated inputs changed through
/// treadctl, reactions observed on treadd's event stream and in the drive's own log.
@Suite(.serialized)
struct InterlockEndToEndTests {
    @Test func railReleaseInReverseWarnsThenPausesAndResumeNeedsRails() throws {
        let rig = try TestRig()
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        _ = try rig.ctlChecked("start", "long-reverse")
        try events.awaitStatus("belt up to speed in reverse") { $0.direction == "reverse" && ($0.beltSpeedKmh ?? -1) >= 1.9 }

        _ = try rig.ctlChecked("sim", "set", "rail_left=released")
        let warning = try events.next("rail warning") { $0.event == "rail_warning" }
        #expect(warning.status?.state == "running", "the warning comes first, while the belt still runs")
        let paused = try events.next("paused after the grace") { $0.event == "paused" }
        #expect(paused.status?.pauseReason == "rails_released")
        let stopped = try events.awaitStatus("belt stopped, enable off") { $0.beltSpeedKmh == 0 && $0.phase == "stopped" }
        #expect(stopped.state == "paused")
        #expect(stopped.enable == false)

        let refused = try rig.ctl("resume")
        #expect(refused.code == 1)
        #expect(refused.stderr.contains("hold the rails"))

        _ = try rig.ctlChecked("sim", "set", "rail_left=held")
        _ = try rig.ctlChecked("resume")
        try events.awaitStatus("reverse again after resume") { $0.state == "running" && $0.direction == "reverse" && ($0.beltSpeedKmh ?? -1) >= 1.0 }
        _ = try rig.ctlChecked("stop")
        try events.awaitStatus("idle after stop") { $0.state == "idle" }

        let log = try rig.simLog()
        // Paused by the interlock: the drive saw the belt come to rest between the two reverse runs.
        let reverseStates = log.states.filter { $0.direction == "reverse" }
        let firstRest = try #require(reverseStates.firstIndex { $0.outputHz == 0 && $0.t > (reverseStates.first { $0.outputHz > 5 }?.t ?? 0) })
        #expect(reverseStates[firstRest...].contains { $0.outputHz > 3 }, "the belt ran in reverse again after resume")
        #expect(log.states.last?.outputHz == 0)
    }

    @Test func reverseSegmentWaitsAtStandstillUntilRailsHeld() throws {
        let rig = try TestRig()
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("start", "long-reverse")
        try events.next("told to hold the rails") { $0.event == "waiting_for_rails" }
        let waiting = try events.awaitStatus("waiting status") { $0.notice?.contains("hold the rails") == true && $0.phase == "ready" }
        #expect(waiting.beltSpeedKmh == 0)
        _ = try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        try events.awaitStatus("reverse starts once held") { $0.direction == "reverse" && ($0.beltSpeedKmh ?? -1) > 0.5 }
        _ = try rig.ctlChecked("stop")
        try events.awaitStatus("idle") { $0.state == "idle" }
    }

    @Test func estopLatchesFaultAndResetNeedsTheCauseGone() throws {
        let rig = try TestRig()
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("start", "short")
        try events.awaitStatus("running forward") { $0.direction == "forward" && ($0.beltSpeedKmh ?? -1) >= 1.5 }

        _ = try rig.ctlChecked("sim", "set", "estop=open")
        let fault = try events.awaitStatus("fault latched") { $0.state == "fault" }
        #expect(fault.fault?.code == "estop")
        #expect(fault.enable == false)

        let refused = try rig.ctl("reset")
        #expect(refused.code == 1)
        #expect(refused.stderr.contains("cause persists"))
        let startRefused = try rig.ctl("start", "short")
        #expect(startRefused.code == 1)

        _ = try rig.ctlChecked("sim", "set", "estop=closed")
        _ = try rig.ctlChecked("reset")
        let idle = try events.awaitStatus("idle after reset") { $0.state == "idle" && $0.beltSpeedKmh == 0 }
        #expect(idle.fault == nil)
        #expect(idle.enable == false)
        // A reset never restarts the belt: the next progress still shows it at rest.
        let later = try events.awaitStatus("still idle") { $0.state != "fault" }
        #expect(later.state == "idle" && later.beltSpeedKmh == 0)

        let log = try rig.simLog()
        let lastCommand = try #require(log.writes(to: 0x2000).last)
        #expect(lastCommand.values == [0x0001], "the last command the drive saw is stop")
        #expect(log.states.last?.outputHz == 0)
    }

    @Test func safetyKeyPulledStopsAndLatches() throws {
        let rig = try TestRig()
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("start", "short")
        try events.awaitStatus("running") { ($0.beltSpeedKmh ?? -1) >= 1.0 }
        _ = try rig.ctlChecked("sim", "set", "safety_key=open")
        let fault = try events.awaitStatus("fault latched") { $0.state == "fault" }
        #expect(fault.fault?.code == "safety_key")
        try events.awaitStatus("belt at rest") { $0.beltSpeedKmh == 0 }
        #expect(try rig.ctl("reset").code == 1)
    }
}
