import Foundation
import Glibc
@testable import TreadSync
import TreadTesting

/// The real treadsync binary (built next to the test bundle), run with a config file, its log
/// lines collected so a test awaits what it says rather than the clock.
final class SyncProcess: @unchecked Sendable {
    let process = Process()
    private let cond = NSCondition()
    private var lines: [String] = []

    static var binary: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = (exe as NSString).deletingLastPathComponent
        while !dir.isEmpty, dir != "/", !FileManager.default.fileExists(atPath: dir + "/treadsync") {
            dir = (dir as NSString).deletingLastPathComponent
        }
        return dir + "/treadsync"
    }

    init(configPath: String) throws {
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "--config", configPath, "--verbose"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let handle = err.fileHandleForReading
        Thread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...nl)
                    cond.lock(); lines.append(line); cond.broadcast(); cond.unlock()
                }
            }
            cond.lock(); lines.append("<exit>"); cond.broadcast(); cond.unlock()
        }.start()
    }

    deinit { kill() }

    var output: [String] { cond.lock(); defer { cond.unlock() }; return lines }

    /// Waits until a log line satisfies `match`, after `from` lines already seen.
    @discardableResult
    func waitForLine(_ what: String, after from: Int = 0, timeout: Duration = .seconds(20), _ match: (String) -> Bool) throws -> Int {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        cond.lock()
        defer { cond.unlock() }
        var seen = from
        while true {
            while seen < lines.count {
                if match(lines[seen]) { return seen + 1 }
                seen += 1
            }
            if !cond.wait(until: deadline) {
                throw WaitTimedOut("treadsync: \(what); output:\n" + lines.suffix(20).joined(separator: "\n"), timeout: timeout)
            }
        }
    }

    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

extension Machine {
    /// treadsync.toml for this machine and broker.
    func writeConfig(port: Int) throws -> String {
        var file = TreadsyncConfigFile(machine: name, dir: dir, port: port)
        file.site = site
        return try file.write()
    }
}
