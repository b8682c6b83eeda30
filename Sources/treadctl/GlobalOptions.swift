import ArgumentParser
import Foundation

struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "treadd's socket (default: $TREADD_SOCKET, else /run/treadd/treadd.sock).")
    var socket: String?

    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["TREADD_SOCKET"] ?? "/run/treadd/treadd.sock"
    }

    func connect() throws(CLIError) -> DaemonConnection { try DaemonConnection(path: socketPath) }
}

/// Runs a command body, turning CLIError into a one-line message and its exit code.
func runReporting(_ body: () throws(CLIError) -> Void) throws {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("treadctl: \(error.description)\n".utf8))
        throw ExitCode(error.exitStatus.rawValue)
    }
}
