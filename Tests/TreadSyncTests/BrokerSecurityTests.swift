import Foundation
import Testing
import TreadTesting

/// treadsync against a broker secured as a chain runs it: TLS with a client certificate and
/// a password per machine (Debian's mosquitto with a throwaway CA, scripts/fleet/test-pki.sh).
/// The right credentials deliver; a wrong password or no client certificate is a clear line in
/// the journal, and the outbox keeps everything.
@Suite(.serialized) struct BrokerSecurityTests {
    struct SecureBroker {
        let dir: TempFolder
        let pki: String
        let broker: MosquittoBroker

        init() throws {
            dir = try TempFolder()
            pki = dir.path + "/pki"
            let root = PackagePaths.root.path
            try Self.run("/bin/bash", [root + "/scripts/fleet/test-pki.sh", pki, "tm-01"])
            try Self.run("/usr/bin/mosquitto_passwd", ["-b", "-c", dir.path + "/passwd", "tm-01", "right-password"])
            broker = try MosquittoBroker(dir: dir.path + "/broker", security: """
                cafile \(pki)/ca.crt
                certfile \(pki)/server.crt
                keyfile \(pki)/server.key
                require_certificate true
                password_file \(dir.path)/passwd
                """)
        }

        /// A machine with three sessions and a treadsync config for this broker.
        func machine(password: String, clientCertificate: Bool = true) throws -> (Machine, String) {
            let m = try Machine(dir: dir.path + "/m-\(UUID().uuidString.prefix(8))")
            for i in 0..<3 { try m.session(at: 1_764_000_000 + Double(i) * 600) }
            try password.write(toFile: m.dir + "/password", atomically: true, encoding: .utf8)
            let certificate = clientCertificate ? ["cert_file = \"\(pki)/client.crt\"", "key_file = \"\(pki)/client.key\""] : []
            let config = try TreadsyncConfigFile(machine: "tm-01", dir: m.dir, port: broker.port, brokerLines: [
                "ca_file = \"\(pki)/ca.crt\"", "username = \"tm-01\"", "password_file = \"\(m.dir)/password\"",
            ] + certificate).write()
            return (m, config)
        }

        /// What `treadsync pending` says of the outbox.
        func pending(_ config: String) throws -> String {
            try Self.run(SyncProcess.binary, ["pending", "--config", config]).stdout
        }

        @discardableResult
        private static func run(_ executable: String, _ arguments: [String]) throws -> Subprocess {
            let r = try Subprocess.run(executable, arguments)
            guard r.status == 0 else { throw BrokerError("\(executable) \(arguments.joined(separator: " ")) exited \(r.status): \(r.stderr)") }
            return r
        }
    }

    @Test func theRightCertificateAndPasswordDeliverEverything() throws {
        let secure = try SecureBroker()
        defer { secure.dir.remove() }
        let (m, config) = try secure.machine(password: "right-password")
        let sync = try SpawnedProcess(SyncProcess.binary, ["run", "--config", config, "--verbose"], log: m.dir + "/treadsync.log")
        defer { sync.kill() }
        try sync.waitForLog("connected over TLS", containing: "connected to the broker")
        try waitUntil("every entry acknowledged", timeout: .seconds(30)) { try secure.pending(config).contains("acknowledged up to 3, 0 waiting") }
    }

    @Test func aWrongPasswordIsRefusedClearlyAndTheOutboxKeepsEverything() throws {
        let secure = try SecureBroker()
        defer { secure.dir.remove() }
        let (m, config) = try secure.machine(password: "wrong-password")
        let sync = try SpawnedProcess(SyncProcess.binary, ["run", "--config", config, "--verbose"], log: m.dir + "/treadsync.log")
        defer { sync.kill() }
        try sync.waitForLog("the refusal", containing: "refused the connection", "check the username, password and certificate")
        #expect(sync.isRunning, "treadsync retries; it does not give up")
        #expect(try secure.pending(config).contains("acknowledged up to 0, 3 waiting"))
    }

    @Test func noClientCertificateIsNoConnectionAndTheOutboxKeepsEverything() throws {
        let secure = try SecureBroker()
        defer { secure.dir.remove() }
        let (m, config) = try secure.machine(password: "right-password", clientCertificate: false)
        let sync = try SpawnedProcess(SyncProcess.binary, ["run", "--config", config, "--verbose"], log: m.dir + "/treadsync.log")
        defer { sync.kill() }
        // The broker ends the TLS handshake ("peer did not return a certificate"); libmosquitto
        // reports a protocol error, and treadsync keeps trying.
        try sync.waitForLog("the failed handshake", containing: "cannot reach the broker", "retrying")
        #expect(sync.isRunning)
        #expect(!sync.log.contains("connected to the broker"), "\(sync.log.suffix(800))")
        #expect(try secure.pending(config).contains("acknowledged up to 0, 3 waiting"))
    }
}
