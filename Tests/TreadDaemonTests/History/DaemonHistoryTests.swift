import Foundation
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon
import TreadFiles

/// The whole daemon with a history database that works, and with one that does not: the belt
/// is controlled the same either way, and status says what is wrong with the database.
@Suite(.serialized) struct DaemonHistoryTests {
    func submit(_ rig: SocketServerTests.Rig, _ command: ControlLoop.Command) -> Result<Void, RequestError> {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<Void, RequestError>?
        rig.daemon.control.submit(command) { r in outcome = r; done.signal() }
        done.wait()
        return outcome!
    }

    /// Forward 4 s, reverse 3 s, forward 2 s: short enough for a test, with a direction change.
    static let short = """
        [[steps]]
        direction = "forward"
        speed_kmh = 2.0
        duration = "4s"
        [[steps]]
        direction = "reverse"
        speed_kmh = 1.5
        duration = "3s"
        [[steps]]
        direction = "forward"
        speed_kmh = 2.0
        duration = "2s"
        """

    func runShortSession(_ rig: SocketServerTests.Rig, member: Member?) throws {
        let program = try ProgramFile.parse(Self.short, file: "short.toml")
        #expect(eventually(timeout: .seconds(20)) { rig.daemon.control.status.drive == "online" })
        let sim = try #require(rig.daemon.inputs as? SimulatedInputs)
        sim.set(.railLeft, true)
        sim.set(.railRight, true)
        let r = submit(rig, .startSession(program, .init(member: member, warnings: [])))
        #expect(throws: Never.self) { try r.get() }
        let ticks = rig.daemon.control.tickCount
        #expect(eventually(timeout: .seconds(60)) { rig.daemon.control.status.state == "idle" && rig.daemon.control.tickCount > ticks + 50 })
    }

    @Test func aSessionIsRecordedWithSegmentsDistanceAndEnergy() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let rig = try SocketServerTests.Rig { $0.historyPath = dir.path + "/history.sqlite" }
        defer { rig.close() }
        try runShortSession(rig, member: try Member(name: "Anna", bodyMassKg: 60))
        let status = rig.daemon.control.status
        #expect(status.history?.state == "ok")
        #expect((status.distanceReverseM ?? 0) > 0)
        #expect((status.energyKcalEstimate ?? 0) > 0)
        let writer = try #require(rig.daemon.history)
        #expect(eventually(timeout: .seconds(20)) { writer.health.pending == 0 })
        let store = try #require(writer.store)
        let s = try #require(try store.sessions(member: "Anna", limit: 5).first)
        #expect(s.outcome == "finished")
        #expect(s.segments == 3)
        #expect(s.reverseM > 0 && s.forwardM > s.reverseM)
        #expect(abs(s.reverseM - (status.distanceReverseM ?? 0)) < 0.2)
        #expect((s.kcalEstimate ?? 0) > 0)
    }

    @Test func aCorruptDatabaseIsShownInStatusAndTheBeltIsControlledAllTheSame() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let path = try dir.write("history.sqlite", String(repeating: "garbage! ", count: 1000))
        let rig = try SocketServerTests.Rig { $0.historyPath = path }
        defer { rig.close() }
        #expect(eventually(timeout: .seconds(20)) { rig.daemon.control.status.history?.state == "failing" })
        let error = try #require(rig.daemon.control.status.history?.error)
        #expect(error.contains(path))
        try runShortSession(rig, member: nil)
        let status = rig.daemon.control.status
        #expect(status.fault == nil)
        #expect(status.history?.state == "failing")
        #expect((status.history?.pending ?? 0) > 0)
    }
}
