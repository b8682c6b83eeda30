import Foundation

/// A running `treadconsole` on a free loopback port, talking to the rig's treadd.
final class ConsoleServer {
    let process: ManagedProcess
    let url: String

    /// - Parameter port: 0 for a free port; a restarted console passes its predecessor's.
    init(socket: String, port: Int = 0) throws {
        process = try ManagedProcess(Binaries.path("treadconsole"), ["--socket", socket, "--port", String(port)])
        let line = try process.waitForLine("treadconsole listening") { $0.contains("treadconsole listening on http://") }.line
        guard let start = line.range(of: "http://"), let end = line[start.lowerBound...].firstIndex(of: " ") else {
            throw TestFailure.failed("no address in: \(line)")
        }
        url = String(line[start.lowerBound..<end])
    }

    /// The port from `url` (`http://127.0.0.1:PORT/`).
    var port: Int { Int(url.split(separator: ":").last!.trimmingCharacters(in: CharacterSet(charactersIn: "/")))! }

    deinit { process.terminate(grace: 5) }
}

/// Where the console tests keep their screenshots: $TREADCONSOLE_ARTIFACTS, else
/// .build/artifacts/console in the package. Kept after the run, named by test and step.
enum ConsoleArtifacts {
    static func folder() throws -> String {
        let dir = ProcessInfo.processInfo.environment["TREADCONSOLE_ARTIFACTS"] ?? Binaries.packageRoot + "/.build/artifacts/console"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
