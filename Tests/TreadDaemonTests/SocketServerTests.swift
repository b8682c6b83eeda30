import Foundation
import Logging
import Testing
import TreadTesting
import TreadCore
import TreadHardware
import TreadProtocol
@testable import TreadDaemon

/// The daemon's Unix socket, from a raw POSIX client: a `Daemon` built from the demo config,
/// with its drive on an in-process simulator and its socket in a temp folder.
@Suite(.serialized) struct SocketServerTests {
    /// A running daemon; `close()` stops it and everything under it.
    final class Rig {
        let dir: TempFolder
        let sim: SimulatorHarness
        let daemon: Daemon
        var socket: String { daemon.config.socketPath }

        init(parts: Daemon.Parts? = nil, configure: (inout DaemonConfig) -> Void = { _ in }) throws {
            dir = try TempFolder()
            var config = try DaemonConfig.load(path: PackagePaths.demoConfig)
            sim = try SimulatorHarness(profile: config.profile)
            config.socketPath = dir.url.appendingPathComponent("treadd.sock").path
            config.modbus = sim.settings
            configure(&config)
            var logger = Logger(label: "test.treadd")
            logger.logLevel = .critical
            daemon = try Daemon(config: config, logger: logger, hardware: parts)
            try daemon.start()
        }

        func client() throws -> LineClient { try LineClient(path: socket) }

        /// Submits `command` to the control loop and waits for its answer: nil when accepted.
        func submit(_ command: ControlLoop.Command) -> RequestError? {
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var outcome: Result<Void, RequestError>?
            daemon.control.submit(command) { r in outcome = r; done.signal() }
            done.wait()
            if case .failure(let e) = outcome! { return e }
            return nil
        }

        func close() {
            daemon.stop()
            try? sim.stop()
            dir.remove()
        }
    }

    func message(_ line: String?) throws -> ServerMessage {
        let line = try #require(line, "no line from the daemon")
        return try LineCoding.decode(ServerMessage.self, from: line)
    }

    @Test func greetsWithProtocolOneAndAnswersStatus() throws {
        let rig = try Rig()
        defer { rig.close() }
        let c = try rig.client()
        let hello = try #require(try message(c.readLine()).hello)
        #expect(hello.protocolVersion == 1)
        #expect(hello.service == "treadd")

        c.send(#"{"id":1,"method":"status"}"# + "\n")
        let reply = try message(c.readLine())
        #expect(reply.id == 1)
        let status = try #require(reply.result?.status)
        #expect(status.state == "idle")

        // The drive link reaches the in-process simulator.
        var drive = status.drive
        let online = eventually(timeout: .seconds(5)) {
            c.send(#"{"id":2,"method":"status"}"# + "\n")
            drive = (try? message(c.readLine()))?.result?.status?.drive ?? "?"
            return drive == "online"
        }
        #expect(online, "drive is \(drive)")
    }

    @Test func malformedLineGetsBadRequestAndTheConnectionKeepsServing() throws {
        let rig = try Rig()
        defer { rig.close() }
        let c = try rig.client()
        _ = c.readLine()
        c.send("this is not json\n")
        let bad = try message(c.readLine())
        #expect(bad.error?.code == "bad_request")
        #expect(bad.id == nil)

        c.send(#"{"id":2,"method":"status"}"# + "\n")
        let reply = try message(c.readLine())
        #expect(reply.id == 2)
        #expect(reply.result?.status != nil)

        c.send(#"{"id":3,"method":"fly"}"# + "\n")
        let unknown = try message(c.readLine())
        #expect(unknown.id == 3)
        #expect(unknown.error?.code == "unknown_method")
    }

    @Test func overLongLineClosesOnlyThatConnection() throws {
        let rig = try Rig()
        defer { rig.close() }
        let c = try rig.client()
        _ = c.readLine()
        // Over 256 KiB without a newline; the server may close before it has all of it.
        c.send(String(repeating: "x", count: 300 * 1024) + "\n")
        let e = try message(c.readLine())
        #expect(e.error?.code == "line_too_long")
        #expect(c.closes(), "the connection is closed after the error")

        let fresh = try rig.client()
        #expect(try message(fresh.readLine()).hello != nil)
        fresh.send(#"{"id":9,"method":"status"}"# + "\n")
        #expect(try message(fresh.readLine()).id == 9)
    }

    @Test func lineJustUnderTheLimitIsARequest() throws {
        let rig = try Rig()
        defer { rig.close() }
        let c = try rig.client()
        _ = c.readLine()
        // A valid request padded with spaces to exactly the limit.
        let request = #"{"id":4,"method":"status"}"#
        c.send(request + String(repeating: " ", count: SocketServer.maxLineLength - request.utf8.count) + "\n")
        let reply = try message(c.readLine())
        #expect(reply.id == 4)
        #expect(reply.error == nil)
    }

    @Test func simSetWithABadValueIsBadInput() throws {
        let rig = try Rig()
        defer { rig.close() }
        let c = try rig.client()
        _ = c.readLine()
        c.send(#"{"id":5,"method":"sim.set","params":{"input":"rail_left","value":"maybe"}}"# + "\n")
        let bad = try message(c.readLine())
        #expect(bad.id == 5)
        #expect(bad.error?.code == "bad_input")
        #expect(bad.error?.message.contains("held|released") == true)

        c.send(#"{"id":6,"method":"sim.set","params":{"input":"rail_middle","value":"held"}}"# + "\n")
        #expect(try message(c.readLine()).error?.code == "bad_input")

        c.send(#"{"id":7,"method":"sim.set","params":{"input":"rail_left","value":"held"}}"# + "\n")
        let ok = try message(c.readLine())
        #expect(ok.error == nil)
        #expect(rig.daemon.safety.current.railLeftHeld)
    }

    @Test func secondDaemonOnTheSameSocketIsRefused() throws {
        let rig = try Rig()
        defer { rig.close() }
        var config = rig.daemon.config
        config.modbus = ModbusSettings(transport: .tcp(host: "127.0.0.1", port: 1))
        var logger = Logger(label: "test.second")
        logger.logLevel = .critical
        let second = try Daemon(config: config, logger: logger)
        #expect(throws: (any Error).self) { try second.start() }
        // The first is still serving.
        let c = try rig.client()
        #expect(try message(c.readLine()).hello != nil)
    }
}
