import Foundation
import Glibc
import Testing
import TreadProtocol

/// The supervision of what treadd trusts, on real processes: treadsim lying about the belt
/// (overspeed, frozen reports), a drive link that stops answering in time, the input thread
/// stopping, the enable output failing, and SIGTERM in the middle of a reverse segment. Each
/// ends as a latched fault naming the cause (or a clean exit), with enable off and the
/// drive's own record showing the belt at rest.
@Suite(.serialized)
struct SupervisionEndToEndTests {
    /// Reverse at the machine's reverse limit (4 km/h), so a stop from it takes long enough
    /// to act during.
    static let fastReverse = """
        title = "integration: fast reverse"
        [[steps]]
        direction = "forward"
        speed_kmh = 1.5
        duration = "1s"
        [[steps]]
        direction = "reverse"
        speed_kmh = 4.0
        duration = "60s"
        [[steps]]
        direction = "forward"
        speed_kmh = 1.5
        duration = "1s"
        """

    static let programs = ["long-forward": TestRig.longForward, "long-reverse": TestRig.longReverse, "fast-reverse": fastReverse]

    /// Starts `program` and waits until the belt runs in `direction` at `atLeast` km/h.
    func running(_ program: String, _ direction: String, atLeast kmh: Double) throws -> (TestRig, EventStream) {
        let rig = try TestRig(programs: Self.programs)
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        _ = try rig.ctlChecked("start", program)
        try events.awaitStatus("\(direction) at \(kmh) km/h", timeout: 40) { $0.direction == direction && ($0.beltSpeedKmh ?? -1) >= kmh }
        return (rig, events)
    }

    func expectLatched(_ rig: TestRig, _ events: EventStream, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Status {
        let latched = try events.awaitStatus("\(code) latched", timeout: 20) { $0.state == "fault" }
        #expect(latched.fault?.code == code, "fault: \(String(describing: latched.fault))", sourceLocation: sourceLocation)
        let took = try SimControl.secondsUntilAtRest(at: rig.controlPath, within: 15)
        #expect(took != nil, "the drive still turns 15 s after the fault", sourceLocation: sourceLocation)
        return latched
    }

    /// A drive whose belt runs 1.8 times the reference (a wrong scale, a keypad reference):
    /// the reported speed leaves the tolerance and stays out.
    @Test func aBeltFasterThanItsReferenceIsATrackingFault() throws {
        let (rig, events) = try running("long-forward", "forward", atLeast: 1.9)
        #expect(try rig.inject("overspeed 1.8") == "ok")
        let s = try expectLatched(rig, events, "speed_tracking")
        #expect(s.enable == false)
        #expect(s.fault?.message.contains("speed reference") == true)
    }

    /// Backwards at 2 km/h with a factor of 2.5: 5 km/h is above the 4 km/h reverse limit plus
    /// the margin, a fault on the first such reading.
    @Test func aReverseBeltAboveItsLimitIsAnOverspeedFault() throws {
        let (rig, events) = try running("long-reverse", "reverse", atLeast: 1.9)
        #expect(try rig.inject("overspeed 2.5") == "ok")
        let s = try expectLatched(rig, events, "overspeed")
        #expect(s.fault?.message.contains("reverse") == true)
    }

    /// The drive's reports freeze at 2 km/h while the belt runs on; asked to stop, the
    /// reported speed does not fall, and that is a fault, not a belt taken at its word.
    @Test func frozenReportsThatDoNotFallOnAStopAreAFault() throws {
        let (rig, events) = try running("long-forward", "forward", atLeast: 1.9)
        #expect(try rig.inject("freeze on") == "ok")
        _ = try rig.ctlChecked("stop")
        _ = try expectLatched(rig, events, "drive_not_stopping")
    }

    /// Every answer later than the response time-out: the link goes offline, and the speed
    /// in status is unknown, not 0.
    @Test func aDriveThatAnswersTooLateIsOfflineAndItsSpeedUnknown() throws {
        let (rig, events) = try running("long-forward", "forward", atLeast: 1.9)
        #expect(try rig.inject("late 1000") == "ok")
        let latched = try events.awaitStatus("fault latched", timeout: 20) { $0.state == "fault" }
        #expect(["drive_offline", "drive_stale"].contains(latched.fault?.code ?? ""), "\(String(describing: latched.fault))")
        let offline = try events.awaitStatus("drive offline", timeout: 20) { $0.drive == "offline" }
        #expect(offline.beltSpeedKmh == nil, "an unknown speed is null, never 0")
        let out = try rig.ctlChecked("status", "--json")
        #expect(out.contains("\"belt_speed_kmh\":null"), "\(out)")
    }

    @Test func anInputThreadThatStopsIsEveryLineLost() throws {
        let (rig, events) = try running("long-forward", "forward", atLeast: 1.5)
        _ = try rig.ctlChecked("sim", "set", "input_thread=stopped")
        let s = try expectLatched(rig, events, "sensor")
        #expect(s.fault?.message.contains("has not ticked") == true, "\(String(describing: s.fault))")
        #expect(s.enable == false)
    }

    @Test func aFailingEnableOutputIsAFaultWithTheRelayUnknown() throws {
        let (rig, events) = try running("long-forward", "forward", atLeast: 1.5)
        _ = try rig.ctlChecked("sim", "set", "enable_output=failing")
        let s = try expectLatched(rig, events, "enable_output")
        #expect(s.enable == nil, "the relay's state is unknown after a failed write")
        let out = try rig.ctlChecked("status", "--json")
        #expect(out.contains("\"enable\":null"), "\(out)")
    }

    /// systemctl stop in the middle of a reverse segment: the belt is brought down under
    /// control, and an e-stop pressed during that ramp is still acted on and latched; then
    /// treadd exits 0 and the belt stays at rest.
    @Test func anEstopDuringAShutdownInReverseIsStillActedOn() throws {
        let (rig, events) = try running("fast-reverse", "reverse", atLeast: 3.5)
        let pid = rig.daemon.process.processIdentifier
        kill(pid, SIGTERM)
        // sim.set stands for the physical switch: accepted while control requests are not.
        _ = try rig.ctlChecked("sim", "set", "estop=open")
        let latched = try events.awaitStatus("e-stop latched during the shutdown", timeout: 10) { $0.fault?.code == "estop" }
        #expect(latched.lifecycle == "stopping")
        #expect(latched.enable == false)
        #expect(try rig.daemon.waitForExit(timeout: 30) == 0)
        #expect(try SimControl.secondsUntilAtRest(at: rig.controlPath, within: 15) != nil)
        let state = try SimControl.state(at: rig.controlPath)
        #expect(state["run_commanded"] as? Bool == false, "\(state)")
    }
}
