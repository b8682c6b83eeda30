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
            try Self.run("/bin/bash", [root + "/scripts/fleet/test-pki.sh", pki, "tm-01"], in: dir)
            try Self.run("/usr/bin/mosquitto_passwd", ["-b", "-c", dir.path + "/passwd", "tm-01", "right-password"], in: dir)
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
            let certificate = clientCertificate ? "cert_file = \"\(pki)/client.crt\"\nkey_file = \"\(pki)/client.key\"\n" : ""
            let config = m.dir + "/treadsync.toml"
            try """
                [machine]
                site = "berlin"
                id = "tm-01"
                [broker]
                host = "127.0.0.1"
                port = \(broker.port)
                ca_file = "\(pki)/ca.crt"
                \(certificate)username = "tm-01"
                password_file = "\(m.dir)/password"
                keepalive_s = 5
                [sync]
                history = "\(m.dir)/history.sqlite"
                ledger = "\(m.dir)/ledger.sqlite"
                retry_first_s = 0.1
                retry_max_s = 1
                """.write(toFile: config, atomically: true, encoding: .utf8)
            return (m, config)
        }

        func pending(_ config: String) throws -> String {
            var out = ""
            try Self.run(SyncProcess.binary, ["pending", "--config", config], in: dir) { out = $0 }
            return out
        }

        /// Runs a program to its end; `output` gets what it printed.
        private static func run(_ executable: String, _ arguments: [String], in dir: TempFolder,
                                output: (String) -> Void = { _ in }) throws {
            let log = dir.path + "/run-\(UUID().uuidString).log"
            let p = try SpawnedProcess(executable, arguments, log: log)
            try waitUntil("\(executable) to end", timeout: .seconds(60)) { !p.isRunning }
            output(p.log)
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
