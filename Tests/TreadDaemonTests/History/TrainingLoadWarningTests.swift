import Foundation
import Testing
import TreadTesting
import TreadCore
import TreadProtocol
@testable import TreadDaemon

/// `start` with a member over the socket: the member is looked up, the history checked, the
/// warnings come back with the reply and are recorded with the session; an unknown member is
/// refused by name.
@Suite(.serialized) struct TrainingLoadWarningTests {
    func message(_ c: LineClient, id: Int) throws -> ServerMessage {
        while true {
            let m = try LineCoding.decode(ServerMessage.self, from: try #require(c.readLine(), "no reply"))
            if m.id == id { return m }
        }
    }

    @Test func aSpikeAndAWeeklyJumpAreWarnedAndRecorded() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let rig = try SocketServerTests.Rig { $0.historyPath = dir.path + "/history.sqlite" }
        defer { rig.close() }
        #expect(eventually(timeout: .seconds(20)) { rig.daemon.history?.store != nil && rig.daemon.control.status.drive == "online" })
        let store = try #require(rig.daemon.history?.store)
        // Last week: one 60 s session. The demo program (80 s) is both a +33% week and a spike.
        let eightDaysAgo = Date().timeIntervalSince1970 - 8 * 86400
        var tally = SessionTally()
        tally.forwardTime = .seconds(60)
        tally.forwardDistance = 50
        try store.write([
            .sessionStarted(.init(id: "old", program: "demo", title: "Demo", member: "Anna", at: eightDaysAgo, planned: .seconds(60), plannedReverse: .zero)),
            .sessionEnded(sessionID: "old", at: eightDaysAgo + 60, outcome: .finished, tally: tally),
        ])

        let c = try rig.client()
        _ = c.readLine()  // hello
        _ = c.send(#"{"id":1,"method":"start","params":{"program":"demo","member":"ghost"}}"# + "\n")
        let unknown = try message(c, id: 1)
        #expect(unknown.error?.code == "unknown_member")
        #expect(unknown.error?.message.contains("'ghost'") == true)

        _ = c.send(#"{"id":2,"method":"members.add","params":{"member":"Anna","body_mass_kg":61}}"# + "\n")
        #expect(try message(c, id: 2).result?.message == "member Anna added")
        _ = c.send(#"{"id":3,"method":"start","params":{"program":"demo","member":"anna"}}"# + "\n")
        let started = try message(c, id: 3)
        let warnings = try #require(started.result?.warnings)
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.contains { $0.contains("more than the week before") })
        #expect(warnings.contains { $0.contains("longest in the last 30 days") })
        #expect(eventually(timeout: .seconds(20)) { rig.daemon.control.status.member == "Anna" })
        _ = c.send(#"{"id":4,"method":"stop"}"# + "\n")
        _ = try message(c, id: 4)
        #expect(eventually(timeout: .seconds(30)) { rig.daemon.control.status.state == "idle" })

        _ = c.send(#"{"id":5,"method":"history.list","params":{"member":"anna"}}"# + "\n")
        let sessions = try #require(try message(c, id: 5).result?.sessions)
        #expect(sessions.count == 2)
        let latest = try #require(sessions.first)
        #expect(latest.outcome == "stopped")
        #expect(latest.notes.filter { $0.hasPrefix("warning:") }.count == 2)
    }
}
