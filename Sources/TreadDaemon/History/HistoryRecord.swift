import TreadCore
import TreadProtocol

/// One thing the history database must remember, made on the control thread (cheap value
/// types only) and written later by the history writer's own thread.
public enum HistoryRecord: Sendable, Equatable {
    case sessionStarted(SessionStart)
    /// A segment that was actually run (or cut short), with what the belt measured.
    case segment(SegmentRun)
    /// The session's running totals, written every few seconds so a crash loses little.
    case checkpoint(sessionID: String, at: Double, tally: SessionTally)
    case event(SessionNote)
    case sessionEnded(sessionID: String, at: Double, outcome: SessionOutcome, tally: SessionTally)
    /// The machine's counters as this run of treadd has counted them (`live`, from zero at
    /// start-up); the store adds them to what it had persisted. `publish` also queues a
    /// snapshot in the outbox for the fleet.
    case counters(at: Double, live: MachineCounters, publish: Bool)

    public struct SessionStart: Sendable, Equatable {
        public var id: String
        public var program: String
        public var title: String
        public var member: String?
        /// Seconds since 1970 (wall clock): history is read by people, by date.
        public var at: Double
        public var planned: Duration
        public var plannedReverse: Duration

        public init(id: String, program: String, title: String, member: String?, at: Double, planned: Duration, plannedReverse: Duration) {
            self.id = id; self.program = program; self.title = title; self.member = member; self.at = at
            self.planned = planned; self.plannedReverse = plannedReverse
        }
    }

    public struct SegmentRun: Sendable, Equatable {
        public var sessionID: String
        public var index: Int
        public var segment: Segment
        public var startedAt: Double
        public var endedAt: Double
        public var tally: SessionTally
        /// How the segment ended: completed, skipped, stopped (session stopped), fault, interrupted.
        public var outcome: String
    }

    public struct SessionNote: Sendable, Equatable {
        public var sessionID: String?
        public var at: Double
        /// pause, resume, rail_release, warning, fault, adjusted.
        public var kind: String
        public var code: String?
        public var message: String
    }
}

/// How a session ended. `interrupted` is written at the next start-up for a session that was
/// still running when treadd died (crash, SIGKILL, power loss).
public enum SessionOutcome: String, Sendable {
    case running, finished, stopped, fault, interrupted
}
