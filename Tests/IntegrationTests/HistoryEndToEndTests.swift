import Foundation
import Testing
import TreadProtocol
import TreadTesting

/// History, members and session adjustments through the real binaries: treadsim, treadd and
/// treadctl as processes.
@Suite(.serialized) struct HistoryEndToEndTests {
    /// Forward, reverse, then a long forward stretch to be killed in.
    static let crashable = TestRig.forwardReverseForward(title: "integration: crash me", lastForward: "120s")

    struct HistoryOut: Decodable { let sessions: [SessionInfo]; let weeks: [WeekTotals] }

    func history(_ rig: TestRig, _ extra: String...) throws -> HistoryOut {
        let r = try run(Binaries.path("treadctl"), ["history", "--json"] + extra + ["--socket", rig.socket])
        guard r.code == 0 else { throw TestFailure.failed("treadctl history exited \(r.code): \(r.stderr)") }
        return try JSONDecoder().decode(HistoryOut.self, from: Data(r.stdout.utf8))
    }

    @Test func aSessionCutShortBySIGKILLIsRecordedAsInterruptedWithWhatCameBefore() throws {
        let rig = try TestRig(programs: ["crash": Self.crashable, "short": TestRig.shortProgram])
        try rig.ctlChecked("members", "add", "anna", "--mass", "60")
        try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let events = try rig.watch()
        try rig.ctlChecked("start", "crash", "--member", "anna")
        // Killed in the third segment, well after its checkpoint interval: forward, reverse done.
        try events.awaitStatus("third segment running for 4 s", timeout: 60) {
            $0.segmentIndex == 3 && $0.direction == "forward" && ($0.segmentRemainingS ?? 999) < 116
        }
        try rig.killDaemon()
        try rig.restartDaemon()
        try rig.daemon.waitForLine("recovery logged") { $0.contains("recorded as interrupted") }

        let h = try history(rig, "--member", "anna")
        #expect(h.sessions.count == 1)
        let s = try #require(h.sessions.first)
        #expect(s.outcome == "interrupted")
        #expect(s.member == "anna")
        #expect(s.program == "crash")
        #expect(s.segments >= 2, "the two completed segments are kept")
        #expect(s.reverseM > 0.5, "reverse distance before the crash: \(s.reverseM)")
        #expect(s.forwardM > 2, "forward distance before the crash: \(s.forwardM)")
        #expect((s.kcalEstimate ?? 0) > 0)
        #expect(s.endedAt != nil)

        // The restarted daemon never resumes the session. The drive may have tripped on comm loss
        // after the kill (as it should); then the restarted treadd shows that fault, and a
        // technician's reset clears it. Polled: there is no event to await across the restart.
        var status = try LineCoding.decode(Status.self, from: try rig.ctlChecked("status", "--json"))
        #expect(status.state == "idle" || status.fault?.code == "drive_fault" || status.fault?.code == "drive_offline",
                "restarted treadd: \(status.state) \(status.fault?.message ?? "")")
        let ready = try eventually(timeout: .seconds(20), every: .milliseconds(200)) {
            if status.state == "fault" { _ = try rig.ctl("reset") }  // refused until the drive answers again; retried
            status = try LineCoding.decode(Status.self, from: try rig.ctlChecked("status", "--json"))
            return status.state == "idle" && status.drive == "online"
        }
        #expect(ready, "restarted treadd: \(status.state), drive \(status.drive), \(status.fault?.message ?? "")")
        try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")  // a new treadd starts with the rails released
        // The restarted treadd runs the next session to its end. (A status read that timed out
        // under load once left its late reply to be taken for the next read's, "invalid reply:
        // Invalid data" on every read until the drive counted as offline and the session
        // faulted, exit 5. ModbusConnection now reopens the TCP socket after a timeout;
        // ModbusDriveTests.aReplyThatComesAfterTheTimeoutIsNeverTakenForTheNextRequest.)
        let next = try rig.ctl("start", "short", "--member", "anna", "--follow")
        #expect(next.code == 0, "treadctl start --follow exited \(next.code): \(next.stderr)\ntreadd:\n\(rig.daemon.output.suffix(20).joined(separator: "\n"))")
        let after = try history(rig)
        #expect(after.sessions.count == 2)
        #expect(after.sessions.last?.outcome == "interrupted")
        #expect(after.sessions.first?.outcome == "finished")
        #expect(after.weeks.first?.sessions == 2)
    }

    /// The machine's counters come from the belt the drive reported, are persisted with the
    /// history, and a restarted treadd goes on from them instead of from zero.
    @Test func theOdometerCountsTheBeltAndSurvivesARestart() throws {
        let rig = try TestRig()
        try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let first = try rig.ctl("start", "short", "--follow")
        #expect(first.code == 0, "treadctl start --follow exited \(first.code): \(first.stderr)")
        let session = try #require(try history(rig).sessions.first)
        var status = try LineCoding.decode(Status.self, from: try rig.ctlChecked("status", "--json"))
        let before = try #require(status.machine)
        #expect(before.persisted)
        // The session's measured distance, and the belt's: both from the drive's reports.
        #expect(abs(before.counters.beltM - (session.forwardM + session.reverseM)) < 1.0,
                "odometer \(before.counters.beltM) m, session \(session.forwardM + session.reverseM) m")
        #expect(before.counters.reverseM > 0.5)
        #expect(before.counters.directionChanges == 2, "forward, reverse, forward")
        #expect(before.counters.runningS > 5)

        try rig.stopDaemon()
        try rig.restartDaemon()
        status = try LineCoding.decode(Status.self, from: try rig.ctlChecked("status", "--json"))
        let after = try #require(status.machine)
        #expect(after.persisted)
        #expect(abs(after.counters.beltM - before.counters.beltM) < 0.01, "restarted at \(after.counters.beltM) m, was \(before.counters.beltM) m")
        #expect(after.counters.directionChanges == before.counters.directionChanges)
    }

    @Test func badInputNamesTheMemberTheFileAndTheLine() throws {
        let rig = try TestRig()
        let unknown = try rig.ctl("start", "short", "--member", "nobody")
        #expect(unknown.code == 1)
        #expect(unknown.stderr.contains("unknown member 'nobody'"))
        #expect(try rig.ctl("members", "add", "x", "--mass", "5000").stderr.contains("body mass"))

        let file = rig.dir + "/too-fast.toml"
        try """
            [[steps]]
            direction = "forward"
            speed_kmh = 3.0
            duration = "1m"

            [[steps]]
            direction = "reverse"
            speed_kmh = 5.5
            duration = "1m"
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let v = try rig.ctl("programs", "validate", file)
        #expect(v.code == 1)
        #expect(v.stdout.contains("\(file):6:"), "\(v.stdout)")
        #expect(v.stdout.contains("reverse limit"))
    }

    @Test func plannedWeeksValidateAndShow() throws {
        let rig = try TestRig()
        let out = rig.dir + "/plan"
        let plan = try run(Binaries.path("treadctl"), ["plan", "--weeks", "4", "--sessions-per-week", "3", "--minutes", "20", "--out", out, "--name", "ramp"])
        #expect(plan.code == 0, "\(plan.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["ramp-week01.toml", "ramp-week02.toml", "ramp-week03.toml", "ramp-week04.toml"])
        for f in files {
            let r = try rig.ctl("programs", "validate", out + "/" + f)
            #expect(r.code == 0, "\(f): \(r.stdout) \(r.stderr)")
        }
        let show = try rig.ctlChecked("programs", "show", "short")
        #expect(show.contains("forward") && show.contains("reverse"))
        #expect(show.contains("<") && show.contains(">"))
    }

    @Test func adjustmentsFromTreadctlPassTheLimits() throws {
        let rig = try TestRig()
        try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let events = try rig.watch()
        try rig.ctlChecked("start", "long-reverse")
        try events.awaitStatus("reverse running", timeout: 60) { $0.direction == "reverse" && ($0.beltSpeedKmh ?? -1) > 1.9 }
        try rig.ctlChecked("faster", "--by", "0.5")
        try rig.ctlChecked("faster", "--by", "0.5")
        try rig.ctlChecked("faster", "--by", "0.5")
        try rig.ctlChecked("faster", "--by", "0.5")   // 4.0 km/h: the rig's reverse cap
        let refused = try rig.ctl("faster", "--by", "0.5")
        #expect(refused.code == 1)
        #expect(refused.stderr.contains("reverse limit of 4.0 km/h"))
        try events.awaitStatus("reverse at the cap", timeout: 30) { $0.direction == "reverse" && $0.targetSpeedKmh == 4.0 }
        try rig.ctlChecked("skip")
        try events.awaitStatus("forward after the skip, through standstill", timeout: 60) { $0.direction == "forward" && $0.segmentIndex == 3 }
        try rig.ctlChecked("stop")
    }
}
