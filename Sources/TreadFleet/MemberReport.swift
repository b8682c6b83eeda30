import Foundation

/// `treadfleet members show`: one member's sessions from every machine, newest first, and
/// their totals by week (`UTCWeek`). Built from rows by `make`, which does all the
/// arithmetic, so it is tested without a database.
public struct MemberReport: Codable, Sendable, Hashable {
    public struct Session: Codable, Sendable, Hashable {
        /// Lowercase, as on the wire.
        public var id: String
        public var site: String
        public var machine: String
        public var program: String
        public var title: String
        public var startedAt: Date
        public var endedAt: Date?
        public var outcome: String
        /// Belt moving under the member, both directions.
        public var movingS: Double
        public var reverseS: Double
        public var distanceM: Double
        public var reverseM: Double

        public init(id: String, site: String, machine: String, program: String, title: String, startedAt: Date, endedAt: Date?,
                    outcome: String, movingS: Double, reverseS: Double, distanceM: Double, reverseM: Double) {
            self.id = id; self.site = site; self.machine = machine; self.program = program; self.title = title
            self.startedAt = startedAt; self.endedAt = endedAt; self.outcome = outcome; self.movingS = movingS
            self.reverseS = reverseS; self.distanceM = distanceM; self.reverseM = reverseM
        }
    }

    public struct Week: Codable, Sendable, Hashable {
        /// Monday 00:00 UTC.
        public var start: Date
        public var sessions: Int
        public var movingS: Double
        public var reverseS: Double
        public var distanceM: Double
        /// Backwards share of the moving time (0...1): the load the +10% rule watches.
        public var reverseShare: Double
    }

    public var member: String
    /// Newest first.
    public var sessions: [Session]
    /// Newest first; only weeks with sessions.
    public var weeks: [Week]

    public static func make(member: String, sessions: [Session]) -> MemberReport {
        let newestFirst = sessions.sorted { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }
        let byWeek = Dictionary(grouping: newestFirst) { UTCWeek.start(of: $0.startedAt) }
        let weeks = byWeek.map { start, sessions in
            let moving = sessions.reduce(0) { $0 + $1.movingS }, reverse = sessions.reduce(0) { $0 + $1.reverseS }
            return Week(start: start, sessions: sessions.count, movingS: moving, reverseS: reverse,
                        distanceM: sessions.reduce(0) { $0 + $1.distanceM }, reverseShare: moving > 0 ? reverse / moving : 0)
        }.sorted { $0.start > $1.start }
        return MemberReport(member: member, sessions: newestFirst, weeks: weeks)
    }
}
