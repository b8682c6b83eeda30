import Foundation
import Testing
import TreadTesting
@testable import TreadDaemon

/// The sd_notify sender on its own: addresses, and that a send never waits.
@Suite struct NotifySocketTests {
    @Test func sendsToAPathAndToAnAbstractName() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        for address in [dir.url.appendingPathComponent("n.sock").path, "@treadd-ns-\(UUID().uuidString.prefix(8))"] {
            let listener = try NotifyListener(address: address)
            let s = try NotifySocket(address: address)
            #expect(s.send("READY=1\nSTATUS=hello") == .sent)
            #expect(listener.next(timeout: .seconds(2)) == "READY=1\nSTATUS=hello")
        }
    }

    @Test func refusesARelativeOrOverlongAddress() {
        #expect(throws: NotifySocket.NotifyError.badAddress("relative.sock")) { try NotifySocket(address: "relative.sock") }
        let long = "/" + String(repeating: "x", count: 120)
        #expect(throws: NotifySocket.NotifyError.badAddress(long)) { try NotifySocket(address: long) }
    }

    @Test func aFullSocketBufferDropsTheMessageInsteadOfWaiting() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("full.sock").path
        let listener = try NotifyListener(address: path)  // never read: its queue fills up
        let s = try NotifySocket(address: path)
        let payload = String(repeating: "x", count: 2048)
        var results: [NotifySocket.SendResult] = []
        let start = ContinuousClock.now
        for _ in 0..<10_000 {
            let r = s.send("STATUS=\(payload)")
            results.append(r)
            if r != .sent { break }
        }
        #expect(results.last == .wouldBlock, "the receiver's queue never filled: \(results.count) sends")
        #expect(ContinuousClock.now - start < .seconds(2))
        _ = listener
    }

    @Test func theEnvironmentIsReadAsSystemdPassesIt() {
        let env = SystemdEnvironment.current(["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "5000000", "WATCHDOG_PID": "\(getpid())"])
        #expect(env.notifySocket == "@x")
        #expect(env.watchdog == .seconds(5))
        #expect(SystemdEnvironment.current(["WATCHDOG_USEC": "5000000", "WATCHDOG_PID": "1"]).watchdog == nil, "pings for another process")
        #expect(SystemdEnvironment.current([:]) == .none)
        #expect(!SystemdEnvironment.current(["JOURNAL_STREAM": "1:2"]).stderrIsJournal)
    }
}
