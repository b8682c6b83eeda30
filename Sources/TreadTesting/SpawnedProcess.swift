import Foundation
import Glibc

/// A long-running program started for a test with posix_spawn (an empty signal mask, so its
/// SIGTERM handler runs even when the test's thread blocks signals), its output to a log file
/// the test reads, reaped with waitpid. For the fleet's daemons: treadsync, treadfleet serve.
public final class SpawnedProcess: @unchecked Sendable {
    public let name: String
    public let logPath: String
    private var pid: pid_t?

    public init(_ executable: String, _ arguments: [String], log: String) throws {
        name = (executable as NSString).lastPathComponent
        logPath = log
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attr, argv, environ)
        guard rc == 0 else { throw BrokerError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        pid = child
    }

    deinit { kill() }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the log has a line containing every one of `words` (its output, not the clock).
    public func waitForLog(_ what: String, timeout: Duration = .seconds(30), containing words: String...) throws {
        try waitUntil("\(name): \(what)\n\(log.split(separator: "\n").suffix(15).joined(separator: "\n"))", timeout: timeout, every: .milliseconds(20)) {
            log.split(separator: "\n").contains { line in words.allSatisfy { line.contains($0) } }
        }
    }

    /// Whether it still runs (reaps it if it has exited).
    public var isRunning: Bool {
        guard let p = pid else { return false }
        var status: Int32 = 0
        if waitpid(p, &status, WNOHANG) == p { pid = nil; return false }
        return true
    }

    /// Sends `signal` without waiting (SIGSTOP, SIGCONT).
    public func send(_ signal: Int32) { if let p = pid { Glibc.kill(p, signal) } }

    /// SIGTERM and wait: the program's own clean stop. Returns its exit status.
    @discardableResult
    public func terminate() -> Int32 { end(SIGTERM) }

    /// SIGKILL: no clean-up of any kind.
    public func kill() { _ = end(SIGKILL) }

    private func end(_ signal: Int32) -> Int32 {
        guard let p = pid else { return -1 }
        Glibc.kill(p, SIGCONT)  // a frozen process must be able to act on its signal
        Glibc.kill(p, signal)
        var status: Int32 = 0
        while waitpid(p, &status, 0) == -1, errno == EINTR {}
        pid = nil
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
