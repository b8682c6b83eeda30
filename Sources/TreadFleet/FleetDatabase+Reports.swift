import Foundation
import PostgresNIO
import TreadProtocol

extension FleetDatabase {
    /// All of a member's sessions, every machine (`MemberReport.make` does the totals).
    public func memberReport(name: String) async throws(FleetDatabaseError) -> MemberReport {
        MemberReport.make(member: name, sessions: try await memberSessions(name: name, since: nil))
    }

    /// The last 35 days of a member's sessions, every machine: what is published, retained,
    /// to each machine for its +10% check.
    public func memberSummary(name: String, now: Date) async throws(FleetDatabaseError) -> FleetMemberSummary {
        let since = now.addingTimeInterval(-35 * 86_400)
        let sessions = try await memberSessions(name: name, since: since).filter { $0.startedAt <= now }
        return FleetMemberSummary(member: name, asOf: now.timeIntervalSince1970, sessions: sessions.map {
            FleetMemberSummary.Session(id: $0.id, machine: $0.machine,
                                       startedAt: $0.startedAt.timeIntervalSince1970, movingS: $0.movingS,
                                       reverseS: $0.reverseS, distanceM: $0.distanceM)
        })
    }

    /// Every machine, faults counted from 7 days before `now` on. No upper bound: a machine
    /// whose clock runs ahead must not hide its newest faults.
    public func machinesReport(now: Date, serviceInterval: ServiceInterval = .default) async throws(FleetDatabaseError) -> MachinesReport {
        let since = now.addingTimeInterval(-7 * 86_400)
        return try await withConnection { connection, logger in
            var faults: [String: [String: Int]] = [:]
            let faultRows = try await connection.query("""
                SELECT site, machine, code, count(*) FROM faults WHERE at > \(since)
                GROUP BY site, machine, code
                """, logger: logger)
            for try await (site, machine, code, count) in faultRows.decode((String, String, String, Int).self) {
                faults["\(site)/\(machine)", default: [:]][code] = count
            }
            let rows = try await connection.query("""
                SELECT m.site, m.machine, m.last_seen,
                    (SELECT count(*) FROM sessions s WHERE s.site = m.site AND s.machine = m.machine),
                    c.at, c.belt_m, c.reverse_m, c.running_s
                FROM machines m LEFT JOIN machine_counters c ON c.site = m.site AND c.machine = m.machine
                ORDER BY m.site, m.machine
                """, logger: logger)
            var machines: [MachinesReport.Machine] = []
            for try await (site, machine, lastSeen, sessions, at, beltM, reverseM, runningS)
                in rows.decode((String, String, Date, Int, Date?, Double?, Double?, Double?).self) {
                var counters: MachinesReport.Counters?
                if let at, let beltM, let reverseM, let runningS {
                    counters = .init(at: at, beltKm: beltM / 1000, reverseKm: reverseM / 1000, runningHours: runningS / 3600)
                }
                machines.append(.init(site: site, machine: machine, lastSeen: lastSeen, sessions: sessions, counters: counters,
                                      recentFaults: faults["\(site)/\(machine)"] ?? [:],
                                      maintenance: counters.map { serviceInterval.status(beltKm: $0.beltKm) }))
            }
            return MachinesReport(generatedAt: now, faultsSince: since, serviceInterval: serviceInterval, machines: machines)
        }
    }

    private func memberSessions(name: String, since: Date?) async throws(FleetDatabaseError) -> [MemberReport.Session] {
        try await withConnection { connection, logger in
            let rows = try await connection.query("""
                SELECT id, site, machine, program, title, started_at, ended_at, outcome, forward_s, reverse_s, forward_m, reverse_m
                FROM sessions
                WHERE lower(member) = lower(\(name)) AND (\(since)::timestamptz IS NULL OR started_at >= \(since))
                ORDER BY started_at DESC, id
                """, logger: logger)
            var sessions: [MemberReport.Session] = []
            for try await (id, site, machine, program, title, startedAt, endedAt, outcome, forwardS, reverseS, forwardM, reverseM)
                in rows.decode((UUID, String, String, String, String, Date, Date?, String, Double, Double, Double, Double).self) {
                sessions.append(.init(id: id.uuidString.lowercased(), site: site, machine: machine, program: program, title: title, startedAt: startedAt,
                                      endedAt: endedAt, outcome: outcome, movingS: forwardS + reverseS, reverseS: reverseS,
                                      distanceM: forwardM + reverseM, reverseM: reverseM))
            }
            return sessions
        }
    }
}
