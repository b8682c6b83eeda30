import Foundation
import Testing
import TreadFleet
import TreadProtocol

/// Dates around the weeks of Monday 2026-11-23 and Monday 2026-11-30 (UTC).
enum Day {
    static let monday23 = 1_795_392_000.0
    static let tuesday24At18 = 1_795_543_200.0
    static let sunday29At2359 = 1_795_996_740.0
    static let monday30 = 1_795_996_800.0
    static let tuesday1At0730 = 1_796_110_200.0
    static let wednesday2At19 = 1_796_238_000.0
    static let thursday3 = 1_796_256_000.0
    static let day = 86_400.0
}

extension FleetPostgresTests {
    @Suite struct Reports {
        @Test func memberShowAggregatesSessionsFromTwoMachinesByUTCWeek() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let ingest = FleetIngest(database: database)
                let sessions: [(String, String, Double, Double, Double, Double, Double)] = [
                    // site, machine, started, forward s, reverse s, forward m, reverse m
                    ("gym1", "tm1", Day.tuesday24At18, 1200, 300, 2000, 250),
                    ("gym2", "tm7", Day.sunday29At2359, 900, 600, 1500, 500),
                    ("gym1", "tm1", Day.tuesday1At0730, 1000, 0, 1800, 0),
                    ("gym2", "tm7", Day.wednesday2At19, 600, 400, 1000, 400),
                ]
                for (site, machine, started, fs, rs, fm, rm) in sessions {
                    let outcome = await ingest.ingest(topic: Payloads.topic(site: site, machine: machine), payload: Payloads.session(
                        site: site, machine: machine, startedAt: started, forwardS: fs, reverseS: rs, forwardM: fm, reverseM: rm))
                    guard case .stored = outcome else { Issue.record("\(outcome)"); return }
                }
                _ = await ingest.ingest(topic: Payloads.topic(), payload: Payloads.session(member: "bob", startedAt: Day.tuesday1At0730))

                let report = try await database.memberReport(name: "alice")
                #expect(report.sessions.map(\.startedAt.timeIntervalSince1970)
                    == [Day.wednesday2At19, Day.tuesday1At0730, Day.sunday29At2359, Day.tuesday24At18])
                #expect(report.sessions.map(\.machine) == ["tm7", "tm1", "tm7", "tm1"])
                #expect(report.weeks.count == 2)
                let latest = try #require(report.weeks.first), earlier = try #require(report.weeks.last)
                #expect(latest.start.timeIntervalSince1970 == Day.monday30)
                #expect(latest.sessions == 2)
                #expect(latest.movingS == 2000)
                #expect(latest.distanceM == 3200)
                #expect(abs(latest.reverseShare - 0.2) < 1e-9)
                // Sunday 23:59 UTC still belongs to the week that began on Monday the 23rd.
                #expect(earlier.start.timeIntervalSince1970 == Day.monday23)
                #expect(earlier.sessions == 2)
                #expect(earlier.movingS == 3000)
                #expect(earlier.distanceM == 4250)
                #expect(abs(earlier.reverseShare - 0.3) < 1e-9)
                #expect(report.text.contains("week of 2026-11-30"))
                #expect(report.text.contains("gym2/tm7"))
            }
        }

        @Test func memberSummaryHoldsTheLast35DaysFromEveryMachine() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let ingest = FleetIngest(database: database)
                let recent = UUID(), otherMachine = UUID(), old = UUID()
                _ = await ingest.ingest(topic: Payloads.topic(), payload: Payloads.session(id: recent, startedAt: Day.tuesday1At0730))
                _ = await ingest.ingest(topic: Payloads.topic(site: "gym2", machine: "tm7"),
                                        payload: Payloads.session(id: otherMachine, site: "gym2", machine: "tm7", startedAt: Day.monday23))
                _ = await ingest.ingest(topic: Payloads.topic(), payload: Payloads.session(id: old, startedAt: Day.thursday3 - 36 * Day.day))

                let summary = try await database.memberSummary(name: "alice", now: Date(timeIntervalSince1970: Day.thursday3))
                #expect(summary.member == "alice")
                #expect(summary.asOf == Day.thursday3)
                #expect(summary.sessions.map(\.id) == [recent, otherMachine].map { $0.uuidString.lowercased() })
                #expect(summary.sessions.map(\.machine) == ["tm1", "tm7"])
                #expect(summary.sessions.first?.movingS == 1500)
                #expect(summary.sessions.first?.reverseS == 300)
                #expect(summary.sessions.first?.distanceM == 2250)
            }
        }

        @Test func machinesCountFaultsByReasonInTheLastSevenDaysOnly() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let ingest = FleetIngest(database: database)
                let now = Day.thursday3
                let faults: [(String, Double, String)] = [
                    ("tm1", now - 1 * Day.day, "overspeed"), ("tm1", now - 2 * Day.day, "overspeed"),
                    ("tm1", now - 3 * Day.day, "drive_comm"), ("tm1", now - 8 * Day.day, "overspeed"),
                    ("tm2", now - 10 * Day.day, "estop"),
                ]
                for (machine, at, code) in faults {
                    let outcome = await ingest.ingest(topic: Payloads.topic("faults", machine: machine),
                                                      payload: Payloads.fault(machine: machine, at: at, code: code))
                    guard case .stored = outcome else { Issue.record("\(outcome)"); return }
                }
                _ = await ingest.ingest(topic: Payloads.topic(), payload: Payloads.session(startedAt: now - Day.day))
                _ = await ingest.ingest(topic: Payloads.topic(), payload: Payloads.session(startedAt: now - 2 * Day.day))
                _ = await ingest.ingest(topic: Payloads.topic("counters"),
                                        payload: Payloads.counters(at: now - 3600, beltM: 5_200_000, runningS: 7200))
                _ = await ingest.ingest(topic: Payloads.topic("counters", machine: "tm2"),
                                        payload: Payloads.counters(machine: "tm2", at: now - 3600, beltM: 1_000_000))

                let report = try await database.machinesReport(now: Date(timeIntervalSince1970: now), serviceInterval: .init(km: 2500))
                #expect(report.machines.map(\.machine) == ["tm1", "tm2"])
                let tm1 = try #require(report.machines.first), tm2 = try #require(report.machines.last)
                #expect(tm1.recentFaults == ["overspeed": 2, "drive_comm": 1])
                #expect(tm2.recentFaults == [:], "a fault 10 days old is not recent")
                #expect(tm1.sessions == 2)
                #expect(tm2.sessions == 0)
                #expect(tm1.counters?.beltKm == 5200)
                #expect(tm1.counters?.runningHours == 2)
                #expect(tm1.maintenance == ServiceInterval.Status(due: true, dueAtKm: 5000, nextAtKm: 7500))
                #expect(tm2.maintenance == ServiceInterval.Status(due: false, dueAtKm: nil, nextAtKm: 2500))
                #expect(report.text.contains("overspeed ×2, drive_comm ×1"))
                #expect(report.text.contains("DUE (service due at 5000 km"))
            }
        }
    }
}
