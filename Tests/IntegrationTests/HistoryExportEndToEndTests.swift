import Foundation
import Testing
import TreadProtocol
import TreadTesting

/// `treadctl history export` through the real binaries: a session run on treadsim by treadd,
/// read back over the socket (`history.session`) and written as TCX and FIT, then checked by
/// tools that are not ours: xmllint against Garmin's schema, fitdecode and fitparse.
@Suite(.serialized) struct HistoryExportEndToEndTests {
    struct HistoryOut: Decodable { let sessions: [SessionInfo] }

    func onlySession(_ rig: TestRig) throws -> SessionInfo {
        let out = try rig.ctlChecked("history", "--json")
        let sessions = try JSONDecoder().decode(HistoryOut.self, from: Data(out.utf8)).sessions
        #expect(sessions.count == 1)
        return try #require(sessions.first)
    }

    @Test func aFinishedSessionExportsAsTCXAndFITThatIndependentReadersAccept() throws {
        let rig = try TestRig()
        _ = try rig.ctlChecked("members", "add", "anna", "--mass", "60")
        _ = try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let run = try rig.ctl("start", "short", "--member", "anna", "--follow")
        #expect(run.code == 0, "treadctl start --follow exited \(run.code): \(run.stderr)")
        let s = try onlySession(rig)
        #expect(s.outcome == "finished" && s.segments == 3)
        let id = String(s.id.prefix(8))
        let distance = s.forwardM + s.reverseM

        // The history list shows the short id the export takes.
        #expect(try rig.ctlChecked("history").contains(id))

        let tcx = rig.dir + "/session.tcx"
        let t = try rig.ctl("history", "export", id, "--format", "tcx", "-o", tcx)
        #expect(t.code == 0, "export tcx exited \(t.code): \(t.stderr)")
        #expect(t.stdout.contains("wrote \(tcx): tcx, 3 laps"), "\(t.stdout)")
        let valid = try ExportValidation.validateTCX(tcx)
        #expect(valid.status == 0, "xmllint: \(valid.stderr)")
        let text = try String(contentsOfFile: tcx, encoding: .utf8)
        #expect(text.contains(#"<Activity Sport="Other">"#), "2 km/h is a walk")
        #expect(text.components(separatedBy: "<Lap StartTime=").count - 1 == 3)
        #expect(text.contains("Backwards: \(Int(s.reverseM.rounded())) m of \(Int(distance.rounded())) m"), "\(text)")
        #expect(!text.contains("Cut short"))

        // The format follows -o's extension when --format is not given.
        let fit = rig.dir + "/session.fit"
        let f = try rig.ctl("history", "export", s.id, "-o", fit)
        #expect(f.code == 0, "export fit exited \(f.code): \(f.stderr)")
        let summary = try ExportValidation.readFIT(fit)
        #expect(summary.fileType == "activity")
        let session = try #require(summary.session)
        #expect(session.sport == "walking" && session.subSport == "treadmill")
        #expect(abs((session.totalDistance ?? -1) - distance) < 0.02, "FIT \(session.totalDistance ?? -1) m, history \(distance) m")
        let elapsed = (s.endedAt ?? 0) - s.startedAt
        #expect(abs((session.totalElapsedTime ?? -1) - elapsed) < 0.01, "FIT \(session.totalElapsedTime ?? -1) s, history \(elapsed) s")
        #expect(session.totalCalories == Int((s.kcalEstimate ?? -1).rounded()))
        #expect(session.numLaps == 3 && summary.laps.count == 3)
        #expect(abs((session.backwardsDistance ?? -1) - s.reverseM) < 0.01)
        let share = s.reverseS / (s.forwardS + s.reverseS) * 100
        #expect(abs((session.backwardsShare ?? -1) - share) < 0.01)
    }

    @Test func anUnknownSessionIsAClearMessageAndNoFile() throws {
        let rig = try TestRig()
        let file = rig.dir + "/nothing.fit"
        let r = try rig.ctl("history", "export", "deadbeef-0000", "--format", "fit", "-o", file)
        #expect(r.code == 1)
        #expect(r.stderr.contains("no session 'deadbeef-0000' in the history"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    /// treadd killed mid-segment: the file holds the written segments plus what the totals'
    /// checkpoints recorded of the one it died in, and says the session was cut short.
    @Test func aSessionCutShortBySIGKILLExportsWhatWasRecordedAndSaysSo() throws {
        let rig = try TestRig(programs: ["crash": HistoryEndToEndTests.crashable])
        _ = try rig.ctlChecked("members", "add", "anna", "--mass", "60")
        _ = try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let events = try rig.watch()
        _ = try rig.ctlChecked("start", "crash", "--member", "anna")
        try events.awaitStatus("third segment running for 4 s", timeout: 60) {
            $0.segmentIndex == 3 && $0.direction == "forward" && ($0.segmentRemainingS ?? 999) < 116
        }
        try rig.killDaemon()
        try rig.restartDaemon()
        try rig.daemon.waitForLine("recovery logged") { $0.contains("recorded as interrupted") }
        let s = try onlySession(rig)
        #expect(s.outcome == "interrupted")
        let written = s.segments
        #expect(written >= 2)

        let tcx = rig.dir + "/cut.tcx"
        let t = try rig.ctl("history", "export", String(s.id.prefix(12)), "--format", "tcx", "-o", tcx)
        #expect(t.code == 0, "export tcx exited \(t.code): \(t.stderr)")
        #expect(t.stderr.contains("was cut short (interrupted)"), "\(t.stderr)")
        #expect(try ExportValidation.validateTCX(tcx).status == 0)
        let text = try String(contentsOfFile: tcx, encoding: .utf8)
        #expect(text.contains("Cut short: treadd stopped during this session"))

        let fit = rig.dir + "/cut.fit"
        let f = try rig.ctl("history", "export", s.id, "--format", "fit", "-o", fit)
        #expect(f.code == 0, "export fit exited \(f.code): \(f.stderr)")
        let summary = try ExportValidation.readFIT(fit)
        #expect(summary.laps.count == written + 1, "the written segments and the one treadd died in")
        #expect(summary.laps.last?.lapTrigger == "session_end")
        #expect((summary.laps.last?.totalDistance ?? 0) > 0.3, "the checkpointed part of the third segment")
        #expect(abs((summary.session?.totalDistance ?? -1) - (s.forwardM + s.reverseM)) < 0.02)
        #expect(summary.session?.totalCalories == Int((s.kcalEstimate ?? -1).rounded()))
    }
}
