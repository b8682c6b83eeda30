import Foundation
import Logging
import TreadDaemon
import TreadProtocol
import TreadTesting

/// The socket request path as a connection meets it: a real `Daemon` (demo config, simulated
/// inputs, its drive on an in-process simulator) serving its Unix socket, and each input
/// written to a fresh connection. That covers the line framing (LineFrameDecoder), request
/// decoding (LineCoding, Messages) and routing (RequestRouter, WorkoutRoutes) the daemon
/// really uses, without reaching into its pipeline.
///
/// Promises checked: the daemon answers every line it sends with a protocol message that
/// decodes, keeps serving after the input (a status request sent after it is answered, unless
/// the input held an over-long line, which closes the connection), and never stops responding.
final class RequestTarget: FuzzTarget {
    private let daemon: Daemon
    private let simulator: SimulatorHarness
    private let socketPath: String
    /// The id of the request appended to every input; chosen so no fuzzed request shares it.
    static let probeID = 987_654_321

    init() {
        do {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("treadfuzz-\(getpid())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            var config = try DaemonConfig.load(path: PackagePaths.demoConfig)
            simulator = try SimulatorHarness(profile: config.profile)
            config.socketPath = dir.appendingPathComponent("treadd.sock").path
            config.modbus = simulator.settings
            config.historyPath = nil
            // Control requests are answered on the loop's next tick: the fastest loop allowed.
            config.controlHz = 50
            socketPath = config.socketPath
            var logger = Logger(label: "treadfuzz.treadd")
            logger.logLevel = .critical
            // Program text goes to the parser helper, the treadd the tests built (scripts/test.sh
            // runs first); without one, every program_source is a parser_failed reply.
            let treadd = PackagePaths.root.appendingPathComponent(".build/debug/treadd").path
            let parser = FileManager.default.isExecutableFile(atPath: treadd) ? ProgramParser(command: [treadd, "parse-program"]) : nil
            daemon = try Daemon(config: config, logger: logger, hardware: Daemon.Parts(programParser: parser))
            try daemon.start()
        } catch {
            FuzzCheck.fail("cannot start the daemon for the request target: \(error)")
        }
    }

    func run(_ bytes: UnsafeRawBufferPointer) {
        let client: UnixLineClient
        do { client = try UnixLineClient(path: socketPath) } catch { FuzzCheck.fail("daemon not accepting connections: \(error)") }
        defer { client.close() }
        guard let hello = client.readLine(), (try? LineCoding.decode(ServerMessage.self, from: hello))?.hello != nil else {
            FuzzCheck.fail("no hello from the daemon")
        }
        // In pieces, reading what has come back in between: that splits lines across reads as
        // a slow client does, and keeps this client reading so the daemon never has cause to
        // drop it as one that does not read.
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 509)
            client.send(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
            for line in client.availableLines() where check(line, client) { return }
        }
        client.send(Data("\n{\"id\":\(Self.probeID),\"method\":\"status\"}\n".utf8))
        while true {
            guard let line = client.readLine() else {
                if client.timedOut { FuzzCheck.fail("the daemon stopped answering (no reply within \(UnixLineClient.timeoutSeconds) s)") }
                // Closed: only an over-long line may close the connection, and it says so first.
                guard client.sawLineTooLong else { FuzzCheck.fail("the daemon closed the connection without a line_too_long error") }
                return
            }
            if check(line, client) { return }
        }
    }

    /// Checks one line from the daemon; true once it is the answer to the closing status request.
    private func check(_ line: String, _ client: UnixLineClient) -> Bool {
        let message: ServerMessage
        do { message = try LineCoding.decode(ServerMessage.self, from: line) } catch {
            FuzzCheck.fail("the daemon sent a line that is not a protocol message: \(line.prefix(200))")
        }
        if message.error?.code == .lineTooLong { client.sawLineTooLong = true }
        return message.id == Self.probeID && message.result?.status != nil
    }
}
