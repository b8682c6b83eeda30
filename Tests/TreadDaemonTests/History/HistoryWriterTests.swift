import Foundation
import Logging
import Synchronization
import Testing
import TreadTesting
import TreadCore
@testable import TreadDaemon

/// The writer's promise to the control loop: `offer` never waits on the disk, a full buffer
/// drops and counts, a failing database is shown in `health` and retried.
@Suite struct HistoryWriterTests {
    func note(_ i: Int) -> HistoryRecord {
        .event(.init(sessionID: nil, at: Double(i), kind: "warning", code: nil, message: "note \(i)"))
    }

    var logger: Logger { var l = Logger(label: "test.history"); l.logLevel = .critical; return l }

    @Test func aStuckDiskNeverBlocksOfferAndAFullBufferDropsWithACount() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let gate = DispatchSemaphore(value: 0)
        let opening = Atomic<Bool>(false)
        // The "disk" hangs in open until the test lets it go.
        let writer = HistoryWriter(path: dir.path + "/history.sqlite", capacity: 50, logger: logger) { p throws(HistoryError) in
            opening.store(true, ordering: .relaxed)
            gate.wait()
            return try HistoryStore(path: p)
        }
        writer.start()
        #expect(eventually(timeout: .seconds(10)) { opening.load(ordering: .relaxed) })
        var slowest = Duration.zero
        var accepted = 0
        let clock = ContinuousClock()
        for i in 0..<80 {
            let t = clock.now
            if writer.offer(note(i)) { accepted += 1 }
            slowest = max(slowest, clock.now - t)
        }
        #expect(accepted == 50)
        #expect(writer.health.dropped == 30)
        #expect(writer.health.pending == 50)
        #expect(slowest < .milliseconds(5), "offer took \(slowest) while the disk was stuck")
        gate.signal()
        #expect(eventually(timeout: .seconds(10)) { writer.health.pending == 0 && writer.health.state == "ok" })
        let notes = try #require(writer.store).db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM session_events") }
        #expect(notes == 50)
        writer.close()
    }

    @Test func aFailingDatabaseIsShownAndRetriedUntilItWorks() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let path = dir.path + "/history.sqlite"
        let failuresLeft = Atomic<Int>(3)
        let writer = HistoryWriter(path: path, capacity: 100, logger: logger) { p throws(HistoryError) in
            if failuresLeft.subtract(1, ordering: .relaxed).newValue >= 0 { throw HistoryError(path: p, message: "disk I/O error") }
            return try HistoryStore(path: p)
        }
        writer.start()
        writer.offer(note(1))
        #expect(eventually(timeout: .seconds(10)) { writer.health.state == "failing" })
        #expect(writer.health.error?.contains(path) == true)
        #expect(writer.health.pending == 1)
        #expect(eventually(timeout: .seconds(10)) { writer.health.state == "ok" && writer.health.pending == 0 })
        #expect(writer.health.dropped == 0)
        writer.close()
    }

    @Test func closeWritesWhatIsBuffered() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let writer = HistoryWriter(path: dir.path + "/history.sqlite", capacity: 100, logger: logger)
        writer.start()
        for i in 0..<20 { writer.offer(note(i)) }
        writer.close()
        let store = try HistoryStore(path: dir.path + "/history.sqlite")
        #expect(try store.db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM session_events") } == 20)
    }

    @Test func aReadJustAfterStartUpWaitsForTheDatabaseToOpen() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let gate = DispatchSemaphore(value: 0)
        let writer = HistoryWriter(path: dir.path + "/history.sqlite", capacity: 10, logger: logger) { p throws(HistoryError) in
            gate.wait()
            return try HistoryStore(path: p)
        }
        writer.start()
        let desk = HistoryDesk(writer: writer)
        let answered = DispatchSemaphore(value: 0)
        let result = Mutex<Result<[Member], HistoryQueryError>?>(nil)
        desk.perform({ store throws(HistoryQueryError) in try store.members() }) { r in
            result.withLock { $0 = r }
            answered.signal()
        }
        #expect(answered.wait(timeout: .now() + 0.3) == .timedOut, "answered before the database was open")
        gate.signal()
        #expect(answered.wait(timeout: .now() + 10) == .success)
        let members = try #require(result.withLock { $0 })
        #expect(throws: Never.self) { try members.get() }
        writer.close()
    }
}
