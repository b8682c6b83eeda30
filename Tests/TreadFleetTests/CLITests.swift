import Foundation
import Testing
import TreadTesting
import TreadFleet

/// The built `treadfleet`, run as a real process.
enum TreadfleetProcess {
    /// The binary sits next to the test bundle in the build folder.
    static var binary: URL {
        let bundle = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        return bundle.deletingLastPathComponent().appendingPathComponent("treadfleet")
    }

    /// Runs it with the environment minus any TREADFLEET_* of the caller's, plus `environment`.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Subprocess {
        let inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TREADFLEET_") }
        return try Subprocess.run(binary.path, arguments, environment: inherited.merging(environment) { $1 })
    }
}

extension FleetPostgresTests {
    @Suite struct CLI {
        @Test func machinesJSONFromTheRealBinaryDecodes() async throws {
            try await withFreshDatabase { (database, _) async throws in
                _ = await FleetIngest(database: database).ingest(topic: Payloads.topic("counters"),
                                                                  payload: Payloads.counters(at: Day.thursday3, beltM: 2_600_000))
                let config = database.configuration
                let result = try TreadfleetProcess.run(
                    ["machines", "--json", "--pg-host", config.host, "--pg-port", "\(config.port)", "--pg-database", config.database],
                    environment: ["TREADFLEET_PG_USER": config.user])
                #expect(result.status == 0, "stderr: \(result.stderr)")
                let report = try FleetJSON.decoder.decode(MachinesReport.self, from: Data(result.stdout.utf8))
                #expect(report.machines.map { "\($0.site)/\($0.machine)" } == ["gym1/tm1"])
                #expect(report.machines.first?.maintenance?.due == true)
                #expect(report.serviceInterval.km == 2500)
            }
        }

        @Test func ingestFileStoresThenReportsTheDuplicate() async throws {
            try await withFreshDatabase { (database, _) async throws in
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("treadfleet-\(UUID().uuidString).json")
                try Data(Payloads.session()).write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                let config = database.configuration
                let environment = ["TREADFLEET_PG_PORT": "\(config.port)", "TREADFLEET_PG_USER": config.user,
                                   "TREADFLEET_PG_DATABASE": config.database]
                let arguments = ["ingest-file", "--topic", Payloads.topic(), file.path]
                let first = try TreadfleetProcess.run(arguments, environment: environment)
                let second = try TreadfleetProcess.run(arguments, environment: environment)
                #expect(first.status == 0, "stderr: \(first.stderr)")
                #expect(first.stdout.hasPrefix("stored session"))
                #expect(second.stdout.hasPrefix("duplicate session"))
                let refused = try TreadfleetProcess.run(["ingest-file", "--topic", Payloads.topic("faults"), file.path],
                                                        environment: environment)
                #expect(refused.status == 65)
                #expect(refused.stderr.contains("does not belong on topic leaf 'faults'"))
                #expect(try await database.count("SELECT count(*) FROM sessions") == 1)
                #expect(try await database.count("SELECT count(*) FROM dead_letters") == 1)
            }
        }

        @Test func anUnreachableServerIsNamedWithHostAndPortAndExitsUnavailable() throws {
            let port = try PostgresServer.freePort()
            let result = try TreadfleetProcess.run(["machines", "--pg-port", "\(port)"])
            #expect(result.status == 69)
            #expect(result.stderr.contains("127.0.0.1:\(port)"), "stderr: \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }

        @Test func anUnreadablePasswordFileIsNamedAndNothingConnects() throws {
            let missing = "/nonexistent/treadfleet-password-\(UUID().uuidString)"
            let result = try TreadfleetProcess.run(["machines"], environment: ["TREADFLEET_PG_PASSWORD_FILE": missing])
            #expect(result.status == 66)
            #expect(result.stderr.contains("cannot read \(missing)"), "stderr: \(result.stderr)")
        }
    }
}
