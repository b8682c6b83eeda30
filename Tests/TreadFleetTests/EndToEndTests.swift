import Foundation
import Testing
import TreadCore
import TreadFleet
import TreadTesting
import TreadTraining
@testable import TreadDaemon

extension FleetPostgresTests {
    /// Two machines' histories, each with the real treadsync, through Debian's mosquitto to
    /// the real `treadfleet serve` and PostgreSQL; the broker stopped and started again, one
    /// treadsync SIGKILLed and restarted, the ingest restarted: every session arrives, once.
    @Suite struct EndToEnd {
        static let t0 = 1_764_000_000.0

        static var bin: String {
            (TreadfleetProcess.binary.path as NSString).deletingLastPathComponent
        }

        struct Machine {
            let dir: String
            let name: String
            let store: HistoryStore
            init(_ root: String, _ name: String) throws {
                dir = root + "/" + name
                self.name = name
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                store = try HistoryStore(path: dir + "/history.sqlite")
            }

            func session(_ i: Int, member: String, at start: Double? = nil) throws -> String {
                let id = UUID().uuidString.lowercased()
                var tally = SessionTally()
                tally.forwardTime = .seconds(240)
                tally.reverseTime = .seconds(60)
                tally.forwardDistance = 400
                tally.reverseDistance = 50
                let at = start ?? EndToEnd.t0 + Double(i) * 3600
                try store.write([
                    .sessionStarted(.init(id: id, program: "intervals", title: "Intervals", member: member, at: at,
                                          planned: .seconds(300), plannedReverse: .seconds(60))),
                    .sessionEnded(sessionID: id, at: at + 300, outcome: .finished, tally: tally),
                ])
                return id
            }

            /// Where this machine's treadsync keeps members' fleet summaries (treadd's [history] fleet_members).
            var members: String { dir + "/members" }

            func sync(port: Int, host: String = "127.0.0.1") throws -> SpawnedProcess {
                let config = try TreadsyncConfigFile(machine: name, dir: dir, host: host, port: port,
                                                     syncLines: ["members = \"\(members)\""]).write()
                return try SpawnedProcess(EndToEnd.bin + "/treadsync", ["run", "--config", config, "--verbose"], log: dir + "/treadsync.log")
            }
        }

        func ingest(_ db: FleetDatabaseConfiguration, broker: Int, host: String = "127.0.0.1", log: String,
                    resendAfter: Double = 30) throws -> SpawnedProcess {
            try SpawnedProcess(EndToEnd.bin + "/treadfleet", [
                "serve", "--pg-host", db.host, "--pg-port", "\(db.port)", "--pg-user", db.user, "--pg-database", db.database,
                "--mqtt-host", host, "--mqtt-port", "\(broker)", "--client-id", "treadfleet-test",
                "--resend-after", "\(resendAfter)",
            ], log: log)
        }

        /// A member's sessions on machine A reach machine B through the broker (treadfleet
        /// publishes her summary retained, B's treadsync keeps it) and count in B's +10% check,
        /// which on B's own history alone has nothing to grow from.
        @Test func aMembersSessionsOnMachineACountTowardTheWeeklyCheckOnMachineB() async throws {
            try await withFreshDatabase { database, _ in
                let dir = try TempFolder()
                defer { dir.remove() }
                let broker = try MosquittoBroker(dir: dir.path + "/broker")
                let a = try Machine(dir.path, "tm-a"), b = try Machine(dir.path, "tm-b")
                let now = Date().timeIntervalSince1970, day = 86_400.0
                // On A: a 5-minute session last week and one this week.
                for (i, ago) in [9.0, 1].enumerated() { _ = try a.session(i, member: "Anna", at: now - ago * day) }
                let fleet = try ingest(database.configuration, broker: broker.port, log: dir.path + "/fleet.log")
                try fleet.waitForLog("subscribed", containing: "subscribed", "treadd/+/+/+")
                let syncB = try b.sync(port: broker.port)
                let syncA = try a.sync(port: broker.port)
                try await Self.waitForSessions(database, 2)

                let files = FleetMemberFiles(directory: b.members)
                try waitUntil("anna's summary with 2 sessions on tm-b", timeout: .seconds(30)) {
                    files.sessions(of: "anna", now: now).sessions.count == 2
                }
                let kept = files.sessions(of: "anna", now: Date().timeIntervalSince1970)
                #expect(kept.warning == nil, "a fresh summary: \(String(describing: kept.warning))")
                #expect(Set(kept.sessions.map(\.machine)) == ["tm-a"])

                let planned = Duration.seconds(300)
                let localOnly = try b.store.recentLoad(member: "anna", now: now)
                #expect(TrainingLoad.check(planned: planned, recent: localOnly).isEmpty, "B alone: nothing to grow from")
                let withFleet = try b.store.recentLoad(member: "anna", now: now, fleet: kept.sessions)
                #expect(withFleet.lastWeek == .seconds(300) && withFleet.thisWeek == .seconds(300), "\(withFleet)")
                #expect(TrainingLoad.check(planned: planned, recent: withFleet).map(\.code) == ["weekly_volume"])
                // A machine that never received her summary says it counted its own sessions only.
                #expect(FleetMemberFiles(directory: dir.path + "/nowhere").sessions(of: "anna", now: now).warning?.code == "fleet_history")
                syncA.terminate()
                syncB.terminate()
                fleet.terminate()
            }
        }

        /// A broker that loses what it held (its store gone: a failover to a node without it)
        /// after treadsync had its PUBACKs: the entries are acknowledged on the machine and in
        /// no queue. The next entry shows the ingest a hole; it asks the machine, and the
        /// outbox publishes them again, each stored once.
        @Test func entriesTheBrokerLostAfterItsPubackAreAskedForAndArriveOnce() async throws {
            try await withFreshDatabase { database, _ in
                let dir = try TempFolder()
                defer { dir.remove() }
                let broker = try MosquittoBroker(dir: dir.path + "/broker")
                let a = try Machine(dir.path, "tm-a")
                var ids: Set<String> = []
                for i in 0..<2 { ids.insert(try a.session(i, member: "anna")) }
                var fleet = try ingest(database.configuration, broker: broker.port, log: dir.path + "/fleet.log", resendAfter: 1)
                try fleet.waitForLog("subscribed", containing: "subscribed", "treadd/+/+/+")
                let sync = try a.sync(port: broker.port)
                try await Self.waitForSessions(database, 2)

                // The ingest away: the broker queues entries 3 and 4 for its session and acknowledges them.
                #expect(fleet.terminate() == 0)
                for i in 2..<4 { ids.insert(try a.session(i, member: "anna")) }
                try waitUntil("treadsync acknowledged up to 4", timeout: .seconds(30)) {
                    try Subprocess.run(EndToEnd.bin + "/treadsync", ["pending", "--config", a.dir + "/treadsync.toml"])
                        .stdout.contains("acknowledged up to 4,")
                }
                broker.stop()
                try FileManager.default.removeItem(atPath: broker.dir + "/mosquitto.db")
                try broker.start()

                // A new session on the fresh broker: the entry after the hole must reach it.
                fleet = try ingest(database.configuration, broker: broker.port, log: dir.path + "/fleet-2.log", resendAfter: 1)
                try fleet.waitForLog("subscribed again", containing: "subscribed", "treadd/+/+/+")
                ids.insert(try a.session(4, member: "anna"))
                do { try await Self.waitForSessions(database, 5) } catch {
                    Issue.record("\(error)\nfleet:\n\(fleet.log.suffix(1500))\nA:\n\(sync.log.suffix(1500))")
                    throw error
                }
                #expect(try await database.count("SELECT count(DISTINCT id) FROM sessions") == ids.count)
                #expect(try await database.count("SELECT count(*) FROM sessions") == ids.count)
                #expect(try await database.count("SELECT contiguous_seq FROM machines WHERE machine = 'tm-a'") == 5)
                #expect(fleet.log.contains("asked it to publish again"))
                sync.terminate()
                fleet.terminate()
            }
        }

        @Test func everySessionArrivesOnceThroughBrokerRestartsKillsAndAnIngestRestart() async throws {
            try await withFreshDatabase { database, _ in
                let dir = try TempFolder()
                defer { dir.remove() }
                let broker = try MosquittoBroker(dir: dir.path + "/broker")
                let a = try Machine(dir.path, "tm-a"), b = try Machine(dir.path, "tm-b")
                var ids: Set<String> = []
                for i in 0..<5 { ids.insert(try a.session(i, member: "anna")); ids.insert(try b.session(i, member: "ben")) }

                var fleet = try ingest(database.configuration, broker: broker.port, log: dir.path + "/fleet.log")
                try fleet.waitForLog("subscribed", containing: "subscribed", "treadd/+/+/+")
                var syncA = try a.sync(port: broker.port)
                let syncB = try b.sync(port: broker.port)
                try await Self.waitForSessions(database, 10)

                // The broker goes away while both machines record; what they record waits.
                broker.stop()
                for i in 5..<8 { ids.insert(try a.session(i, member: "anna")); ids.insert(try b.session(i, member: "ben")) }
                try broker.start()
                do { try await Self.waitForSessions(database, 16) } catch {
                    Issue.record("\(error)\nfleet:\n\(fleet.log.suffix(1500))\nA:\n\(syncA.log.suffix(1500))\nB:\n\(syncB.log.suffix(800))\nbroker:\n\(broker.log.suffix(800))")
                    throw error
                }

                // treadsync killed outright and the ingest restarted, with sessions written meanwhile.
                syncA.kill()
                #expect(fleet.terminate() == 0, "treadfleet serve: \(fleet.log.suffix(400))")
                for i in 8..<10 { ids.insert(try a.session(i, member: "anna")) }
                syncA = try a.sync(port: broker.port)
                fleet = try ingest(database.configuration, broker: broker.port, log: dir.path + "/fleet.log")
                try await Self.waitForSessions(database, 18)

                #expect(try await database.count("SELECT count(*) FROM sessions") == ids.count)
                #expect(try await database.count("SELECT count(DISTINCT id) FROM sessions") == ids.count)
                let report = try await database.memberReport(name: "anna")
                #expect(report.sessions.count == 10, "anna's sessions, all from tm-a")
                #expect(try await database.count("SELECT count(*) FROM dead_letters") == 0)
                syncA.terminate()
                syncB.terminate()
                fleet.terminate()
            }
        }

        static func waitForSessions(_ database: FleetDatabase, _ n: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while try await database.count("SELECT count(*) FROM sessions") < n {
                guard ContinuousClock.now < deadline else {
                    throw WaitTimedOut("\(n) sessions in PostgreSQL", timeout: .seconds(60))
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
