import Foundation
import TreadCore
import TreadProtocol
import TreadTraining

/// Turns what the control loop sees each tick into history records, on the control thread.
/// Cheap and non-blocking: value copies and `HistoryWriter.offer`, nothing else. A session's
/// totals are checkpointed every `checkpointInterval`, so a crash loses at most that much.
public final class HistoryRecorder: @unchecked Sendable {
    private let writer: HistoryWriter
    private let wallClock: @Sendable () -> Double
    /// The counters this run of treadd has counted (odometer and drive errors), read when a
    /// snapshot is due; called on the control thread, must not block.
    private let liveCounters: () -> MachineCounters
    private var lastCounters: MachineCounters?
    private var countersPersistedAt = 0.0
    private var countersPublishedAt = 0.0
    // Touched only on the control thread.
    private var sessionID: String?
    private var segmentIndex = 0
    private var segment: Segment?
    private var segmentStartedAt = 0.0
    private var segmentStartTally = SessionTally()
    private var nextSegmentOutcome = "completed"
    private var outcome: SessionOutcome = .running
    private var lastCheckpoint = 0.0
    private var pendingWarnings: [TrainingLoad.Warning] = []

    public static let checkpointInterval = 2.0
    /// The counters are persisted at most this often while they change (a crash loses at most
    /// this much of the odometer: the checkpoint's interval), and after every session.
    public static let countersInterval = checkpointInterval
    /// A counters snapshot goes to the fleet's outbox after every session and at most this
    /// often otherwise (the fleet's machine view is not a live gauge).
    public static let countersPublishInterval = 900.0

    public init(writer: HistoryWriter, liveCounters: @escaping () -> MachineCounters,
                wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.writer = writer
        self.liveCounters = liveCounters
        self.wallClock = wallClock
    }

    /// Warnings given when the next session starts, recorded with it.
    func willStart(warnings: [TrainingLoad.Warning]) { pendingWarnings = warnings }

    /// Called after every step with the step's events and the treadmill as it is now.
    func observe(_ events: [TreadEvent], _ tm: Treadmill) {
        let now = wallClock()
        for e in events {
            switch e {
            case .sessionStarted(let name):
                guard let program = tm.session?.program else { continue }
                let id = UUID().uuidString.lowercased()
                sessionID = id
                outcome = .running
                segmentIndex = 0
                segment = program.segments.first
                segmentStartedAt = now
                segmentStartTally = tm.tally
                nextSegmentOutcome = "completed"
                lastCheckpoint = now
                writer.offer(.sessionStarted(.init(id: id, program: name, title: program.title, member: tm.member?.name, at: now,
                                                   planned: program.totalDuration, plannedReverse: program.reverseDuration)))
                for w in pendingWarnings { note("warning", w.code, w.description, now) }
                pendingWarnings = []
            case .segmentStarted(let i, let seg):
                guard sessionID != nil, i != segmentIndex else { continue }
                closeSegment(tm, now, outcome: nextSegmentOutcome)
                segmentIndex = i
                segment = seg
                nextSegmentOutcome = "completed"
            case .sessionAdjusted(let a, let text):
                if a == .skip { nextSegmentOutcome = "skipped" }
                // A nudge or extension changes the running segment: keep the adjusted one.
                if let s = tm.session, s.index == segmentIndex, let current = s.current, a != .skip { segment = current }
                note("adjusted", nil, text, now)
            case .paused(let reason):
                note("pause", reason.rawValue, reason.description, now)
            case .resumed:
                note("resume", nil, "resumed", now)
            case .railWarning:
                note("rail_release", nil, e.message, now)
            case .faultLatched(let f):
                note("fault", f.code, f.description, now)
                outcome = .fault
            case .sessionFinished: outcome = .finished
            case .sessionStopped: outcome = .stopped
            case .directionChangeAnnounced, .waitingForRails, .railWarningCleared, .faultCleared:
                break
            }
        }
        defer { recordCounters(now, sessionEnded: false) }
        guard let id = sessionID else { return }
        if tm.session == nil {
            // The session is over (idle after a controlled stop, or discarded by a fault).
            let segOutcome = outcome == .finished ? "completed" : outcome.rawValue
            closeSegment(tm, now, outcome: segOutcome)
            writer.offer(.sessionEnded(sessionID: id, at: now, outcome: outcome == .running ? .stopped : outcome, tally: tm.tally))
            sessionID = nil
            segment = nil
            recordCounters(now, sessionEnded: true)
        } else if now - lastCheckpoint >= Self.checkpointInterval {
            writer.offer(.checkpoint(sessionID: id, at: now, tally: tm.tally))
            lastCheckpoint = now
        }
    }

    /// Persists the counters when they changed and a minute has passed, or a session ended;
    /// publishes them after a session and every quarter of an hour.
    private func recordCounters(_ now: Double, sessionEnded: Bool) {
        guard sessionEnded || now - countersPersistedAt >= Self.countersInterval else { return }
        let live = liveCounters()
        let publish = sessionEnded || (now - countersPublishedAt >= Self.countersPublishInterval && live != lastCounters)
        guard publish || live != lastCounters else { return }
        if writer.offer(.counters(at: now, live: live, publish: publish)) {
            lastCounters = live
            countersPersistedAt = now
            if publish { countersPublishedAt = now }
        }
    }

    private func closeSegment(_ tm: Treadmill, _ now: Double, outcome: String) {
        guard let id = sessionID, let seg = segment else { return }
        writer.offer(.segment(.init(sessionID: id, index: segmentIndex, segment: seg, startedAt: segmentStartedAt, endedAt: now,
                                    tally: tm.tally.since(segmentStartTally), outcome: outcome)))
        segmentStartedAt = now
        segmentStartTally = tm.tally
        segment = nil
    }

    private func note(_ kind: String, _ code: String?, _ message: String, _ now: Double) {
        writer.offer(.event(.init(sessionID: sessionID, at: now, kind: kind, code: code, message: message)))
    }
}
