import Foundation

/// What crosses the fleet's broker (docs/fleet.md). treadd writes the bodies to its outbox;
/// treadsync wraps each in a `FleetEnvelope` naming the site and machine and publishes it;
/// treadfleet upserts by `id`, so a message delivered twice is stored once.
///
/// The keys are snake_case and stable. `v` changes only when a reader written for the old
/// version would misread the new one; added optional keys keep it.
public enum FleetSchema {
    public static let version = 1
    /// Payloads larger than this are refused by the ingest (to the dead-letter table).
    public static let maxPayloadBytes = 256 * 1024
}

/// What kind of body an outbox entry or an envelope holds, and the topic leaf it goes to.
public enum FleetKind: String, Codable, Sendable, CaseIterable {
    case session, fault, counters

    /// `treadd/<site>/<machine>/<leaf>`.
    public var topicLeaf: String {
        switch self {
        case .session: "sessions"
        case .fault: "faults"
        case .counters: "counters"
        }
    }
}

/// One outbox entry as published: the body with where it comes from.
public struct FleetEnvelope<Body: Codable & Sendable>: Codable, Sendable {
    public var v: Int
    public var kind: FleetKind
    /// Stable UUID of the entry: the session's own id for a session.
    public var id: String
    /// The machine's outbox sequence number: ordered, never reused on that machine.
    public var seq: Int64
    public var site: String
    public var machine: String
    public var body: Body

    public init(kind: FleetKind, id: String, seq: Int64, site: String, machine: String, body: Body) {
        v = FleetSchema.version
        self.kind = kind; self.id = id; self.seq = seq; self.site = site; self.machine = machine; self.body = body
    }
}

/// A finished, stopped, faulted or interrupted session.
public struct FleetSession: Codable, Hashable, Sendable {
    public struct Segment: Codable, Hashable, Sendable {
        public var index: Int
        public var role: String
        public var direction: String
        public var speedKmh: Double
        public var plannedS: Double
        public var forwardS: Double
        public var reverseS: Double
        public var forwardM: Double
        public var reverseM: Double
        /// completed, skipped, stopped, fault, interrupted.
        public var outcome: String
        enum CodingKeys: String, CodingKey {
            case index, role, direction, outcome
            case speedKmh = "speed_kmh", plannedS = "planned_s", forwardS = "forward_s", reverseS = "reverse_s"
            case forwardM = "forward_m", reverseM = "reverse_m"
        }
        public init(index: Int, role: String, direction: String, speedKmh: Double, plannedS: Double, forwardS: Double,
                    reverseS: Double, forwardM: Double, reverseM: Double, outcome: String) {
            self.index = index; self.role = role; self.direction = direction; self.speedKmh = speedKmh; self.plannedS = plannedS
            self.forwardS = forwardS; self.reverseS = reverseS; self.forwardM = forwardM; self.reverseM = reverseM; self.outcome = outcome
        }
    }

    public var program: String
    public var title: String
    public var member: String?
    /// Seconds since 1970, the machine's wall clock.
    public var startedAt: Double
    public var endedAt: Double?
    /// finished, stopped, fault, interrupted.
    public var outcome: String
    public var plannedS: Double
    public var forwardS: Double
    public var reverseS: Double
    public var forwardM: Double
    public var reverseM: Double
    public var kcalEstimate: Double?
    public var segments: [Segment]
    /// Rail releases, pauses, warnings and faults during the session, by kind.
    public var notes: [String: Int]

    enum CodingKeys: String, CodingKey {
        case program, title, member, outcome, segments, notes
        case startedAt = "started_at", endedAt = "ended_at", plannedS = "planned_s", forwardS = "forward_s", reverseS = "reverse_s"
        case forwardM = "forward_m", reverseM = "reverse_m", kcalEstimate = "kcal_estimate"
    }

    public init(program: String, title: String, member: String?, startedAt: Double, endedAt: Double?, outcome: String,
                plannedS: Double, forwardS: Double, reverseS: Double, forwardM: Double, reverseM: Double,
                kcalEstimate: Double?, segments: [Segment], notes: [String: Int]) {
        self.program = program; self.title = title; self.member = member; self.startedAt = startedAt; self.endedAt = endedAt
        self.outcome = outcome; self.plannedS = plannedS; self.forwardS = forwardS; self.reverseS = reverseS
        self.forwardM = forwardM; self.reverseM = reverseM; self.kcalEstimate = kcalEstimate; self.segments = segments; self.notes = notes
    }
}

/// A latched fault, with or without a session running.
public struct FleetFault: Codable, Hashable, Sendable {
    public var at: Double
    public var code: String
    public var message: String
    public var sessionID: String?
    enum CodingKeys: String, CodingKey { case at, code, message, sessionID = "session_id" }
    public init(at: Double, code: String, message: String, sessionID: String?) {
        self.at = at; self.code = code; self.message = message; self.sessionID = sessionID
    }
}

/// The machine's health counters since it was installed (never reset by a restart).
public struct MachineCounters: Codable, Hashable, Sendable {
    /// Belt distance in metres, both directions; and the backwards part of it.
    public var beltM: Double
    public var reverseM: Double
    /// Time the belt was moving.
    public var runningS: Double
    public var directionChanges: Int
    public var railReleases: Int
    public var driveCommErrors: Int
    /// Latched faults by reason code.
    public var faults: [String: Int]

    enum CodingKeys: String, CodingKey {
        case faults
        case beltM = "belt_m", reverseM = "reverse_m", runningS = "running_s", directionChanges = "direction_changes"
        case railReleases = "rail_releases", driveCommErrors = "drive_comm_errors"
    }

    public init(beltM: Double = 0, reverseM: Double = 0, runningS: Double = 0, directionChanges: Int = 0, railReleases: Int = 0,
                driveCommErrors: Int = 0, faults: [String: Int] = [:]) {
        self.beltM = beltM; self.reverseM = reverseM; self.runningS = runningS; self.directionChanges = directionChanges
        self.railReleases = railReleases; self.driveCommErrors = driveCommErrors; self.faults = faults
    }

    /// Both added up: a persisted base and what this run of treadd has counted.
    public static func + (a: MachineCounters, b: MachineCounters) -> MachineCounters {
        MachineCounters(beltM: a.beltM + b.beltM, reverseM: a.reverseM + b.reverseM, runningS: a.runningS + b.runningS,
                        directionChanges: a.directionChanges + b.directionChanges, railReleases: a.railReleases + b.railReleases,
                        driveCommErrors: a.driveCommErrors + b.driveCommErrors,
                        faults: a.faults.merging(b.faults, uniquingKeysWith: +))
    }
}

/// A counters snapshot as published (periodically and after each session).
public struct FleetCounters: Codable, Hashable, Sendable {
    public var at: Double
    public var counters: MachineCounters
    public init(at: Double, counters: MachineCounters) { self.at = at; self.counters = counters }
}

/// A member's recent sessions from the whole fleet, published retained by treadfleet on
/// `treadfleet/members/<name>` and kept by each machine's treadsync for the +10% check.
public struct FleetMemberSummary: Codable, Hashable, Sendable {
    public struct Session: Codable, Hashable, Sendable {
        public var id: String
        public var machine: String
        public var startedAt: Double
        public var movingS: Double
        public var reverseS: Double
        public var distanceM: Double
        enum CodingKeys: String, CodingKey {
            case id, machine
            case startedAt = "started_at", movingS = "moving_s", reverseS = "reverse_s", distanceM = "distance_m"
        }
        public init(id: String, machine: String, startedAt: Double, movingS: Double, reverseS: Double, distanceM: Double) {
            self.id = id; self.machine = machine; self.startedAt = startedAt; self.movingS = movingS; self.reverseS = reverseS
            self.distanceM = distanceM
        }
    }
    public var v: Int
    public var member: String
    /// When treadfleet made it (seconds since 1970): how stale the machine's copy is.
    public var asOf: Double
    /// The last 35 days of the member's sessions, every machine.
    public var sessions: [Session]
    enum CodingKeys: String, CodingKey { case v, member, sessions, asOf = "as_of" }
    public init(member: String, asOf: Double, sessions: [Session]) {
        v = FleetSchema.version; self.member = member; self.asOf = asOf; self.sessions = sessions
    }
}

/// The ingest's request to one machine, on `treadfleet/resend/<site>/<machine>`: publish every
/// outbox entry from `fromSeq` on again (a hole in that machine's sequence was seen).
public struct FleetResendRequest: Codable, Hashable, Sendable {
    public var fromSeq: Int64
    enum CodingKeys: String, CodingKey { case fromSeq = "from_seq" }
    public init(fromSeq: Int64) { self.fromSeq = fromSeq }

    public static func topic(site: String, machine: String) -> String { "treadfleet/resend/\(site)/\(machine)" }
}

extension FleetMemberSummary {
    /// `treadfleet/members/<key>`, where the key is the member's name lowercased (names match
    /// without case everywhere) with `/`, `+`, `#` and `%` percent-encoded, so no name can make
    /// another topic level or a wildcard.
    public static func topic(member: String) -> String { "treadfleet/members/" + key(member) }

    /// Every member's summary (what a machine's treadsync subscribes to).
    public static let topicFilter = "treadfleet/members/+"

    /// The summary's file name in the folder treadsync keeps and treadd reads: the lowercased
    /// name in hex, so any name is one safe file name.
    public static func fileName(member: String) -> String {
        member.lowercased().utf8.map { String(format: "%02x", $0) }.joined() + ".json"
    }

    /// The largest summary a machine keeps (35 days of a very busy member is a few KiB).
    public static let maxBytes = 1 << 20

    static func key(_ member: String) -> String {
        var out = ""
        for c in member.lowercased().unicodeScalars {
            switch c {
            case "/", "+", "#", "%", "\0": out += String(format: "%%%02X", c.value)
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
