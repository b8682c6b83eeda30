import Foundation
import Glibc
import TreadTesting

/// A private tmux server (its own `-L` socket, so nobody else's sessions are touched) running
/// one command in a window of a fixed size, for tests of what a terminal shows.
///
/// tmux is run with posix_spawn and waitpid rather than `Process`: `new-session` forks the
/// server, which keeps the client's stdout and stderr, so a pipe-reading runner never sees
/// them close (and Foundation's `Process` left the exited client unreaped, spinning).
final class Tmux {
    let server = "treadtest-\(UUID().uuidString.prefix(8))"
    let session = "main"

    init(width: Int = 100, height: Int = 30, command: [String]) throws {
        let r = try Self.tmux(["-L", server, "new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)"] + command)
        guard r.code == 0 else { throw TestFailure.failed("tmux new-session exited \(r.code): \(r.output)") }
    }

    deinit { _ = try? Self.tmux(["-L", server, "kill-server"]) }

    /// The visible pane, one line per row.
    func screen() throws -> String {
        try Self.tmux(["-L", server, "capture-pane", "-p", "-t", session]).output
    }

    /// Polls the screen until `predicate` holds: a pane has no event to await.
    @discardableResult
    func await(_ what: String, timeout: Double = 30, _ predicate: (String) -> Bool) throws -> String {
        var last = ""
        guard try eventually(timeout: .seconds(timeout), every: .milliseconds(100), { last = try screen(); return predicate(last) }) else {
            throw TestFailure.timeout("screen never showed \(what); last screen:\n\(last)")
        }
        return last
    }

    /// Runs tmux (UTF-8 forced with -u) with stdout and stderr going to a file, and waits for it.
    static func tmux(_ args: [String]) throws -> (code: Int32, output: String) {
        let outPath = NSTemporaryDirectory() + "tmux-out-\(UUID().uuidString.prefix(8))"
        defer { unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ["/usr/bin/tmux", "-u"] + args
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        env["TERM"] = "xterm-256color"
        env.removeValue(forKey: "TMUX")
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0)=\($1)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        guard rc == 0 else { throw TestFailure.failed("posix_spawn tmux: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }
}
