import Foundation
import Testing
import TreadTesting
import TreadProtocol
@testable import TreadDaemon

#if canImport(Glibc)
import Glibc
#endif

/// Nothing a client sends can stop the daemon serving others or hold up the control loop:
/// partial frames, a storm of connections, a client that never reads its replies, a
/// subscriber that never reads its events. Each test ends by checking the daemon still
/// answers and the control loop still ticks.
@Suite(.serialized) struct SocketAbuseTests {
    typealias Rig = SocketServerTests.Rig

    func message(_ line: String?) throws -> ServerMessage {
        try LineCoding.decode(ServerMessage.self, from: try #require(line, "no line from the daemon"))
    }

    /// A fresh client gets its greeting and a status, and the control loop moves on.
    func expectHealthy(_ rig: Rig, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ticks = rig.daemon.control.tickCount
        let c = try rig.client()
        #expect(try message(c.readLine()).hello != nil, sourceLocation: sourceLocation)
        c.send(#"{"id":99,"method":"status"}"# + "\n")
        let reply = try message(c.readLine())
        #expect(reply.id == 99 && reply.result?.status != nil, sourceLocation: sourceLocation)
        #expect(eventually(timeout: .seconds(5)) { rig.daemon.control.tickCount > ticks + 5 }, "the control loop keeps ticking",
                sourceLocation: sourceLocation)
    }

    @Test func requestSplitAcrossManyWritesIsOneRequest() throws {
        let rig = try Rig()
        defer { rig.close() }
        let c = try rig.client()
        _ = c.readLine()
        let request = #"{"id":31,"method":"status"}"# + "\n" + #"{"id":32,"#
        for byte in request.utf8 { c.send(String(decoding: [byte], as: UTF8.self)) }
        let first = try message(c.readLine())
        #expect(first.id == 31 && first.result?.status != nil)
        #expect(c.readLine(timeout: .milliseconds(300)) == nil, "half a request is not answered")
        c.send(#""method":"programs.list"}"# + "\r\n")
        let second = try message(c.readLine())
        #expect(second.id == 32 && second.result?.programs != nil, "the rest completes it, CRLF accepted")
    }

    @Test func stormOfConnectionsLeavesTheDaemonServing() throws {
        let rig = try Rig()
        defer { rig.close() }
        var rng = SystemRandomNumberGenerator()
        for i in 0..<600 {
            let c = try rig.client()
            switch i % 4 {
            case 0: break                                          // connect, close at once
            case 1: c.send(#"{"id":1,"meth"#)                      // half a request, then gone
            case 2: c.send(String(decoding: (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }, as: UTF8.self) + "\n")
            default: c.send(#"{"id":2,"method":"watch"}"# + "\n")  // subscribe, then vanish
            }
        }
        try expectHealthy(rig)
    }

    @Test func malformedAndUnknownRequestsAreTypedErrorsOnTheSameConnection() throws {
        let rig = try Rig()
        defer { rig.close() }
        let c = try rig.client()
        _ = c.readLine()
        let cases: [(String, ErrorCode)] = [
            ("{", .badRequest), ("[]", .badRequest), (#"{"id":1}"#, .badRequest), (#"{"method":7}"#, .badRequest),
            (#"{"id":2,"method":"launch"}"#, .unknownMethod), (#"{"id":3,"method":"start"}"#, .badRequest),
            (#"{"id":4,"method":"start","params":{"program":"nope"}}"#, .unknownProgram),
            (#"{"id":5,"method":"sim.set","params":{"input":"rail_left"}}"#, .badRequest),
            ("\u{0}\u{1}\u{2}", .badRequest),
        ]
        for (line, code) in cases {
            c.send(line + "\n")
            let reply = try message(c.readLine())
            #expect(reply.error?.code == code, "\(line) -> \(String(describing: reply.error))")
        }
        #expect(ErrorCode.documented.contains(.unknownProgram))
        try expectHealthy(rig)
        #expect(rig.daemon.control.status.state == "idle", "none of it started the belt")
    }

    @Test func clientThatNeverReadsItsRepliesIsDisconnected() throws {
        let rig = try Rig()
        defer { rig.close() }
        let c = try rig.client()
        // About 700 bytes of reply each: 20 000 of them are far past the high-water mark.
        let burst = String(repeating: #"{"method":"status"}"# + "\n", count: 1000)
        var sent = 0
        while sent < 20, c.send(burst) { sent += 1 }
        var replies = 0
        while c.readLine(timeout: .seconds(5)) != nil { replies += 1 }
        #expect(c.sawEOF, "the daemon closed the connection")
        #expect(replies < sent * 1000, "not every reply was buffered for it: \(replies) of \(sent * 1000)")
        try expectHealthy(rig)
    }

    @Test func stuckSubscriberIsDroppedWhileOthersKeepTheirEvents() throws {
        let rig = try Rig()
        defer { rig.close() }
        let stuck = try rig.client()
        stuck.send(#"{"id":1,"method":"watch"}"# + "\n")
        let healthy = try rig.client()
        healthy.send(#"{"id":1,"method":"watch"}"# + "\n")
        let control = try rig.client()
        _ = control.readLine()
        // Each sim.set publishes an input event (~800 bytes) to every subscriber.
        var received = 0
        var stuckDropped = false
        for i in 0..<3000 where !stuckDropped {
            control.send(#"{"id":\#(i),"method":"sim.set","params":{"input":"rail_left","value":"\#(i % 2 == 0 ? "held" : "released")"}}"# + "\n")
            _ = control.readLine()
            while let line = healthy.readLine(timeout: .milliseconds(1)) { if line.contains("\"event\"") { received += 1 } }
            if i % 100 == 99 { stuckDropped = !isOpen(stuck) }
        }
        #expect(stuckDropped, "a subscriber that never reads is dropped")
        while let line = healthy.readLine(timeout: .milliseconds(200)) { if line.contains("\"event\"") { received += 1 } }
        #expect(received > 100, "the reading subscriber kept receiving (\(received) events)")
        #expect(!healthy.sawEOF, "and was not dropped")
        #expect(stuck.closes(), "the stuck one finds its connection closed once it reads")
        try expectHealthy(rig)
    }

    @Test func fiveHundredSubscribersAreHeld() throws {
        let rig = try Rig()
        defer { rig.close() }
        let clients = try (0..<500).map { i in
            let c = try rig.client()
            c.send(#"{"id":\#(i),"method":"watch"}"# + "\n")
            return c
        }
        // Every one is greeted, subscribed (its reply carries the status) and then gets progress.
        for (i, c) in clients.enumerated() {
            #expect(try message(c.readLine()).hello != nil)
            let reply = try message(c.readLine())
            #expect(reply.id == i && reply.result?.status != nil)
        }
        for c in clients {
            let progress = try message(c.readLine(timeout: .seconds(10)))
            #expect(progress.event == .progress && progress.category == .progress)
        }
        #expect(clients.allSatisfy { !$0.sawEOF }, "none was dropped")
        try expectHealthy(rig)
    }

    /// Whether the peer has not closed: a zero-timeout poll sees no hang-up.
    func isOpen(_ c: LineClient) -> Bool { !c.peerHungUp }
}
