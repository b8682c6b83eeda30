import Foundation
import Glibc

/// Runs a program to its end with posix_spawn and waitpid, stdout and stderr each to a file.
///
/// Not Foundation's `Process`: `pg_ctl start` leaves a server running that was forked from
/// the script, and `Process` then left the exited script unreaped and `waitUntilExit` never
/// returned (the same as tmux in the integration tests).
public struct Subprocess {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Subprocess {
        let folder = FileManager.default.temporaryDirectory
        let outPath = folder.appendingPathComponent("treadd-test-out-\(UUID().uuidString)").path
        let errPath = folder.appendingPathComponent("treadd-test-err-\(UUID().uuidString)").path
        defer { unlink(outPath); unlink(errPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; env.forEach { free($0) } }

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, env)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECHILD) }
        }
        // WIFEXITED / WEXITSTATUS, which Swift cannot import (macros).
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Subprocess(status: exitStatus,
                          stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                          stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}
