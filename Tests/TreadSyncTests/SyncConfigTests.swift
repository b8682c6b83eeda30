import Foundation
import Testing
import TreadFiles
@testable import TreadSync
import TreadTesting

/// treadsync's settings: defaults a technician can rely on, and a located error for each
/// mistake a technician makes.
@Suite struct SyncConfigTests {
    @Test func aMinimalFileGivesPlainMQTTOnItsPortAndTheDefaultPaths() throws {
        let c = try SyncConfig.parse("""
            [machine]
            site = "berlin-mitte"
            id = "tm-07"
            [broker]
            host = "mqtt.example.net"
            """, file: "treadsync.toml")
        #expect(c.broker.port == 1883 && c.broker.caFile == nil)
        #expect(c.broker.clientID == "treadsync-berlin-mitte-tm-07")
        #expect(c.topic("sessions") == "treadd/berlin-mitte/tm-07/sessions")
        #expect(c.historyPath == "/var/lib/treadd/history.sqlite")
    }

    @Test func tlsWithAClientCertificateAndAPasswordFromItsFile() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        try "s3cret\n".write(toFile: dir.path + "/pw", atomically: true, encoding: .utf8)
        let c = try SyncConfig.parse("""
            [machine]
            site = "b"
            id = "m"
            [broker]
            host = "h"
            username = "tm"
            password_file = "\(dir.path)/pw"
            ca_file = "/etc/ssl/ca.pem"
            cert_file = "/etc/treadd/tm.crt"
            key_file = "/etc/treadd/tm.key"
            """, file: "t.toml")
        #expect(c.broker.port == 8883)
        #expect(c.broker.password == "s3cret")
        #expect(c.broker.certFile == "/etc/treadd/tm.crt")
    }

    @Test(arguments: [
        ("[machine]\nsite = \"a/b\"\nid = \"m\"\n[broker]\nhost = \"h\"\n", 2, "topic level"),
        ("[machine]\nsite = \"a\"\nid = \"m\"\n[broker]\nhost = \"h\"\nport = 70000\n", 6, "1-65535"),
        ("[machine]\nsite = \"a\"\nid = \"m\"\n[broker]\nhost = \"h\"\ncert_file = \"c\"\n", 6, "key_file"),
        ("[machine]\nsite = \"a\"\nid = \"m\"\n[broker]\nhost = \"h\"\npassword_file = \"/nonexistent\"\n", 6, "username"),
        ("[machine]\nsite = \"a\"\nid = \"m\"\n[broker]\nhost = \"h\"\nhots = \"x\"\n", 6, "hots"),
    ])
    func mistakesAreLocated(text: String, line: Int, words: String) {
        #expect {
            _ = try SyncConfig.parse(text, file: "treadsync.toml")
        } throws: { error in
            guard let e = error as? FileError else { return false }
            return e.line == line && e.description.contains(words) && e.description.contains("treadsync.toml")
        }
    }
}
