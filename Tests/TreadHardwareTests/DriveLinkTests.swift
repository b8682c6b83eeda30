import Foundation
import Logging
import Synchronization
import Testing
import TreadTesting
import TreadCore
@testable import TreadHardware

@Suite struct DriveLinkTests {
    let logger = Logger(label: "test.drive-link")

    /// Polls the link's feedback until `match` holds; the link publishes from its own thread.
    func feedback(of link: DriveLink, timeout: Duration = .seconds(5), _ match: (DriveFeedback) -> Bool) -> DriveFeedback {
        // The caller checks the feedback returned, which is the last one seen if none matched.
        _ = eventually(timeout: timeout) { match(link.currentFeedback) }
        return link.currentFeedback
    }

    @Test func offlineWithTheReasonWhileConnectFailsThenOnline() {
        let drive = RecordingDrive(connectError: .bus(.connectFailed("Connection refused"), during: "connect"))
        let link = DriveLink(pollInterval: .milliseconds(20), logger: logger) { drive }
        #expect(link.currentFeedback == .connecting)
        link.start()
        defer { link.shutdown() }

        let offline = feedback(of: link) { if case .offline = $0 { true } else { false } }
        guard case .offline(let reason) = offline else {
            Issue.record("expected offline, got \(offline)")
            return
        }
        #expect(reason.description.contains("recording drive"))
        #expect(reason.description.contains("Connection refused"))
        if case .cannotConnect = reason {} else { Issue.record("a refused connection is cannotConnect, got \(reason)") }
        #expect(!drive.calls.contains { if case .command = $0 { true } else { false } }, "nothing commanded while not connected")

        drive.connectError = nil
        let online = feedback(of: link) { if case .online = $0 { true } else { false } }
        #expect(online == .online(drive.report))
        #expect(link.currentStats.reconnects >= 1)
        #expect(link.currentStats.transactions >= 1)
        // The first thing after a successful connect is the (stop) setpoint.
        let calls = drive.calls
        let connected = calls.lastIndex(of: .connect)!
        #expect(calls[connected + 1] == .command(.stop))
    }

    @Test func submittedStopReachesTheDriveWithoutWaitingForThePoll() {
        let drive = RecordingDrive()
        // A poll interval far longer than the deadlines below: only the wake-up on submit
        // can deliver the setpoints in time.
        let link = DriveLink(pollInterval: .seconds(30), logger: logger) { drive }
        link.start()
        defer { link.shutdown() }
        #expect(drive.wait { $0.contains(.readReport) }, "connected and polled once")

        let run = DriveSetpoint.run(.forward, .kmh(3))
        link.submit(run)
        #expect(drive.wait(timeout: 2) { $0.contains(.command(run)) })
        link.submit(.stop)
        #expect(drive.wait(timeout: 2) { calls in
            guard let r = calls.lastIndex(of: .command(run)) else { return false }
            return calls[r...].contains(.command(.stop))
        })
    }

    @Test func resetFaultIsPassedOn() {
        let drive = RecordingDrive()
        let link = DriveLink(pollInterval: .seconds(30), logger: logger) { drive }
        link.start()
        defer { link.shutdown() }
        #expect(drive.wait { $0.contains(.readReport) })
        link.submit(.stop, resetFault: true)
        #expect(drive.wait(timeout: 2) { $0.contains(.resetFault) })
    }

    /// A drive whose status read hangs on demand until the test lets it go, as a libmodbus
    /// call on a dead bus with no time-out would.
    final class StallingDrive: MotorDrive, @unchecked Sendable {
        let inner = RecordingDrive()
        /// Signalled by the drive thread once it is stuck inside `readReport`.
        let entered = DispatchSemaphore(value: 0)
        private let gate = DispatchSemaphore(value: 0)
        private let stalling = Atomic<Bool>(false)
        var description: String { "stalling drive" }
        var shouldYield: (@Sendable () -> Bool)? {
            get { inner.shouldYield }
            set { inner.shouldYield = newValue }
        }
        func stall() { stalling.store(true, ordering: .relaxed) }
        func release() {
            if stalling.exchange(false, ordering: .relaxed) { gate.signal() }
        }
        func connect() throws(DriveError) { try inner.connect() }
        func disconnect() { inner.disconnect() }
        func command(_ s: DriveSetpoint) throws(DriveError) { try inner.command(s) }
        func resetFault() throws(DriveError) { try inner.resetFault() }
        func readReport() throws(DriveError) -> DriveReport {
            if stalling.load(ordering: .relaxed) {
                entered.signal()
                gate.wait()
            }
            return try inner.readReport()
        }
    }

    /// The reading is dated when the status read completes and the heartbeat is beaten by
    /// the thread itself, so a thread stuck inside one call shows as old on both.
    @Test func aStuckStatusReadLeavesTheReadingAndTheHeartbeatOld() {
        let drive = StallingDrive()
        let link = DriveLink(pollInterval: .milliseconds(10), logger: logger) { drive }
        #expect(link.currentReading == DriveReading(.connecting, at: nil))
        link.start()
        defer {
            drive.release()
            link.shutdown()
        }
        #expect(eventually { if case .online = link.currentReading.feedback { true } else { false } })
        guard let first = link.currentReading.at else {
            Issue.record("an online reading without a date")
            return
        }
        #expect(eventually { (link.currentReading.at ?? first) > first }, "every poll dates the reading anew")
        #expect(link.currentFeedback == link.currentReading.feedback)

        drive.stall()
        #expect(drive.entered.wait(timeout: .now() + 5) == .success, "the drive thread is inside readReport")
        let stuckReading = link.currentReading
        let stuckBeat = link.heartbeat
        #expect(stuckReading.at != nil)
        // Awaited, not slept: the heartbeat must grow old, which it cannot while the thread beats.
        #expect(eventually { MonotonicClock.now() - link.heartbeat > .milliseconds(300) }, "the heartbeat stopped")
        #expect(link.heartbeat == stuckBeat)
        #expect(link.currentReading == stuckReading, "no reading is published while the read hangs")

        drive.release()
        #expect(eventually { link.heartbeat > stuckBeat }, "the heartbeat advances once the call returns")
        #expect(eventually { (link.currentReading.at ?? .zero) > stuckReading.at! }, "and so does the reading's date")
    }

    /// A long poll interval is not silence: the thread beats while it waits.
    @Test func theHeartbeatAdvancesWhileTheLinkWaits() {
        let drive = RecordingDrive()
        let link = DriveLink(pollInterval: .seconds(30), logger: logger) { drive }
        link.start()
        defer { link.shutdown() }
        #expect(drive.wait { $0.contains(.readReport) })
        let polls = drive.calls.filter { $0 == .readReport }.count
        let before = link.heartbeat
        #expect(eventually { link.heartbeat - before > .milliseconds(200) })
        #expect(MonotonicClock.now() - link.heartbeat < .milliseconds(200), "and it is recent")
        #expect(drive.calls.filter { $0 == .readReport }.count == polls, "with no poll in between")
    }

    @Test func shutdownStopsAndDisconnects() {
        let drive = RecordingDrive()
        let link = DriveLink(pollInterval: .milliseconds(20), logger: logger) { drive }
        link.start()
        let run = DriveSetpoint.run(.reverse, .kmh(2))
        link.submit(run)
        #expect(drive.wait { $0.contains(.command(run)) })
        link.shutdown()
        let calls = drive.calls
        #expect(calls.last == .disconnect)
        let lastCommand = calls.last { if case .command = $0 { true } else { false } }
        #expect(lastCommand == .command(.stop))
    }
}

@Suite struct DriveLinkStaleSetpointTests {
    /// A control loop that stops renewing its run setpoint must not leave the belt running:
    /// polling keeps the drive's own comm-loss timer fed, so the link itself must stop.
    @Test func runSetpointNotRenewedDecaysToStop() {
        let drive = RecordingDrive()
        let link = DriveLink(pollInterval: .milliseconds(20), setpointLifetime: .milliseconds(150),
                             logger: Logger(label: "test.stale")) { drive }
        link.start()
        defer { link.shutdown() }
        link.submit(.run(.forward, .kmh(3)))
        #expect(drive.wait { $0.contains(.command(.run(.forward, .kmh(3)))) }, "the run setpoint reaches the drive")
        // No further submits: the control loop has stalled.
        let ranThenStopped = drive.wait(timeout: 5) { calls in
            guard let run = calls.lastIndex(of: .command(.run(.forward, .kmh(3)))) else { return false }
            return calls[run...].contains(.command(.stop))
        }
        #expect(ranThenStopped, "a stale run setpoint is replaced by a stop: \(drive.calls.suffix(5))")
    }

    @Test func renewedSetpointKeepsRunning() {
        let drive = RecordingDrive()
        let link = DriveLink(pollInterval: .milliseconds(20), setpointLifetime: .milliseconds(150),
                             logger: Logger(label: "test.fresh")) { drive }
        link.start()
        defer { link.shutdown() }
        // Renew once per poll of the link, as a control loop renews once per tick: the renewal
        // is paced by the link's own polls (20 ms apart; renewing the same setpoint does not wake
        // the link), each awaited, so it never waits on the test thread's sleep.
        let run = DriveSetpoint.run(.forward, .kmh(3))
        func polls(_ calls: [RecordingDrive.Call]) -> Int { calls.filter { $0 == .readReport }.count }
        let began = MonotonicClock.now()
        for renewal in 0..<30 {
            let polled = polls(drive.calls)
            link.submit(run)
            guard drive.wait(timeout: 2, until: { polls($0) > polled }) else {
                Issue.record("no poll after renewal \(renewal): \(drive.calls.suffix(5))")
                return
            }
        }
        let renewedFor = MonotonicClock.now() - began
        let calls = drive.calls
        let firstRun = calls.firstIndex(of: .command(run))
        #expect(firstRun != nil)
        #expect(!calls[(firstRun ?? 0)...].contains(.command(.stop)), "no stop while the setpoint is renewed")
        // Otherwise the run could have ended before a stale setpoint would have been stopped.
        #expect(renewedFor > .milliseconds(300), "renewed for \(renewedFor), twice the lifetime at least")
    }
}

/// A link that fails must make the control loop see the outage, and must not restart the belt
/// on its own when it recovers.
@Suite struct DriveLinkOutageTests {
    /// A drive whose reads fail on demand.
    final class FlakyDrive: MotorDrive, @unchecked Sendable {
        let inner = RecordingDrive()
        private let lock = NSLock()
        private var failReads = false
        var description: String { "flaky drive" }
        var shouldYield: (@Sendable () -> Bool)? {
            get { inner.shouldYield }
            set { inner.shouldYield = newValue }
        }
        func setFailing(_ f: Bool) { lock.lock(); failReads = f; lock.unlock() }
        func connect() throws(DriveError) { try inner.connect() }
        func disconnect() { inner.disconnect() }
        func command(_ s: DriveSetpoint) throws(DriveError) { try inner.command(s) }
        func resetFault() throws(DriveError) { try inner.resetFault() }
        func readReport() throws(DriveError) -> DriveReport {
            lock.lock(); let f = failReads; lock.unlock()
            if f { throw .bus(.connectionLost("unplugged"), during: "reading status") }
            return try inner.readReport()
        }
    }

    @Test func outageIsReportedAndRunIsRefusedUntilAStopIsSubmitted() {
        let drive = FlakyDrive()
        let link = DriveLink(pollInterval: .milliseconds(10), setpointLifetime: .seconds(30), logger: Logger(label: "test.outage")) { drive }
        link.start()
        defer { link.shutdown() }
        link.submit(.run(.forward, .kmh(3)))
        #expect(drive.inner.wait { $0.contains(.command(.run(.forward, .kmh(3)))) })
        drive.setFailing(true)
        #expect(drive.inner.wait { $0.filter { $0 == .connect }.count >= 2 } , "the link reconnects")
        drive.setFailing(false)
        // Whatever the timing, the control loop's next read sees the outage.
        let first = link.currentFeedback
        guard case .offline(let reason) = first else {
            Issue.record("the outage was not reported: \(first)")
            return
        }
        #expect(reason.description.contains("unplugged"))
        // The control loop keeps asking for the run (it has not latched yet): refused.
        let reconnects = drive.inner.calls.count
        for _ in 0..<5 { link.submit(.run(.forward, .kmh(3))) }
        // Two polls after the submits: the link has been round its loop since it took them, so
        // a run it were to obey would be on record by now. Without them, no run proves nothing.
        let polledOn = drive.inner.wait { $0[reconnects...].filter { $0 == .readReport }.count >= 2 }
        #expect(polledOn, "the link polled on after the refused runs: \(drive.inner.calls.suffix(5))")
        let after = drive.inner.calls[reconnects...]
        #expect(!after.contains(.command(.run(.forward, .kmh(3)))), "no run after an outage without a stop first")
        // Once the loop has submitted a stop, a new run is obeyed again.
        link.submit(.stop)
        link.submit(.run(.forward, .kmh(2)))
        #expect(drive.inner.wait { $0.contains(.command(.run(.forward, .kmh(2)))) })
    }
}
