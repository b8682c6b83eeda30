import Foundation
import Testing
import TreadTesting

extension FleetPostgresTests.EndToEnd {
    /// The network between the machines and the broker cut and restored: the broker runs on a
    /// test host of its own (a network namespace, `scripts/fleet/netns.sh`) behind a veth link
    /// that is set down while a machine records sessions, long enough for treadsync to see
    /// the broker gone, then up. Every session arrives, once.
    @Test func everySessionArrivesOnceAcrossANetworkCut() async throws {
        try await withFreshDatabase { database, _ in
            let dir = try TempFolder()
            defer { dir.remove() }
            let net = try TestNetwork(name: "tfl\(getpid() % 100_000)")
            defer { net.delete() }
            let broker = try MosquittoBroker(dir: dir.path + "/broker", address: TestNetwork.farAddress, netns: net.name)
            defer { broker.kill() }
            let a = try Machine(dir.path, "tm-a")
            var ids: Set<String> = []
            for i in 0..<3 { ids.insert(try a.session(i, member: "anna")) }
            let fleet = try ingest(database.configuration, broker: broker.port, host: TestNetwork.farAddress, log: dir.path + "/fleet.log")
            try fleet.waitForLog("subscribed", containing: "subscribed", "treadd/+/+/+")
            let sync = try a.sync(port: broker.port, host: TestNetwork.farAddress)
            try await Self.waitForSessions(database, 3)

            try net.setLink(up: false)
            for i in 3..<6 { ids.insert(try a.session(i, member: "anna")) }
            do { try sync.waitForLog("treadsync losing the broker", timeout: .seconds(30), containing: "lost the broker") } catch {
                Issue.record("\(error)\nA:\n\(sync.log.suffix(1500))")
                throw error
            }
            try net.setLink(up: true)
            do { try await Self.waitForSessions(database, 6) } catch {
                Issue.record("\(error)\nfleet:\n\(fleet.log.suffix(1500))\nA:\n\(sync.log.suffix(1500))\nbroker:\n\(broker.log.suffix(800))")
                throw error
            }
            #expect(try await database.count("SELECT count(*) FROM sessions") == ids.count)
            #expect(try await database.count("SELECT count(DISTINCT id) FROM sessions") == ids.count)
            #expect(try await database.count("SELECT count(*) FROM dead_letters") == 0)
            sync.terminate()
            fleet.terminate()
        }
    }
}

/// A test host reached over a veth link this test can cut (`scripts/fleet/netns.sh`).
struct TestNetwork {
    /// The namespace's side of the link; this side is 169.254.77.1.
    static let farAddress = "169.254.77.2"
    let name: String

    init(name: String) throws {
        self.name = name
        try run("create")
    }

    func setLink(up: Bool) throws { try run(up ? "up" : "down") }

    func delete() { try? run("delete") }

    private func run(_ command: String) throws {
        let script = PackagePaths.root.appendingPathComponent("scripts/fleet/netns.sh").path
        let r = try Subprocess.run("/bin/bash", [script, command, name])
        guard r.status == 0 else { throw BrokerError("netns.sh \(command) \(name) exited \(r.status): \(r.stderr)") }
    }
}
