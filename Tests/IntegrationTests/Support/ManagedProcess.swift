import Foundation
import Glibc

/// The folder holding the built executables: the same folder as this test binary.
enum Binaries {
    static let directory: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = (exe as NSString).deletingLastPathComponent
        // The test binary lives inside treaddPackageTests.xctest on some layouts.
        while !dir.isEmpty, dir != "/", !FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("treadd")) {
            dir = (dir as NSString).deletingLastPathComponent
        }
        return dir
    }()

    static func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()
}

enum TestFailure: Error, CustomStringConvertible {
    case timeout(String)
    case failed(String)
    var description: String {
        switch self {
        case .timeout(let m): return "timed out: \(m)"
        case .failed(let m): return m
        }
    }
}

/// A child process whose output lines are collected as they arrive, so tests can await a
/// line (an event) instead of sleeping. Terminated when released.
final class ManagedProcess: @unchecked Sendable {
    let name: String
    let process = Process()
    private let cond = NSCondition()
    private var lines: [String] = []   // stdout and stderr lines, in arrival order
    private var stdoutLines: [String] = []
    private var ended = false
    private var stderrEnded = false

    /// - Parameter stdin: written to the process's standard input, which is then closed
    ///   (default: /dev/null).
    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws {
        name = (executable as NSString).lastPathComponent
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        if let input, let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        reader(out.fileHandleForReading, isStdout: true)
        reader(err.fileHandleForReading, isStdout: false)
    }

    deinit { terminate() }

    private func reader(_ handle: FileHandle, isStdout: Bool) {
        let t = Thread { [weak self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                guard let self else { return }
                if chunk.isEmpty {
                    self.cond.lock(); if isStdout { self.ended = true } else { self.stderrEnded = true }; self.cond.broadcast(); self.cond.unlock()
                    return
                }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...nl)
                    self.cond.lock()
                    self.lines.append(line)
                    if isStdout { self.stdoutLines.append(line) }
                    self.cond.broadcast()
                    self.cond.unlock()
                }
            }
        }
        t.start()
    }

    /// Waits for an output line (stdout or stderr) matching `predicate`, scanning from `from`.
    @discardableResult
    func waitForLine(timeout: Double = 20, from: Int = 0, _ what: String, _ predicate: (String) -> Bool) throws -> (index: Int, line: String) {
        let deadline = Date().addingTimeInterval(timeout)
        cond.lock()
        defer { cond.unlock() }
        var i = from
        while true {
            while i < lines.count {
                if predicate(lines[i]) { return (i, lines[i]) }
                i += 1
            }
            if !process.isRunning && ended { throw TestFailure.failed("\(name) exited before \(what); output:\n" + lines.suffix(30).joined(separator: "\n")) }
            if !cond.wait(until: deadline) { throw TestFailure.timeout("\(name): \(what); output:\n" + lines.suffix(30).joined(separator: "\n")) }
        }
    }

    var output: [String] { cond.lock(); defer { cond.unlock() }; return lines }
    var standardOutput: [String] { cond.lock(); defer { cond.unlock() }; return stdoutLines }

    /// SIGTERM, then SIGKILL if the process has not exited within `grace` seconds.
    func terminate(grace: Double = 20) {
        guard process.isRunning else { return }
        process.terminate()
        if (try? waitForExit(timeout: grace)) == nil {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Waits for exit, up to `timeout` seconds; returns the exit code.
    func waitForExit(timeout: Double) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        let done = DispatchSemaphore(value: 0)
        let p = process
        Thread { p.waitUntilExit(); done.signal() }.start()
        guard done.wait(timeout: .now() + max(0, deadline.timeIntervalSinceNow)) == .success else {
            throw TestFailure.timeout("\(name) did not exit; output:\n" + output.suffix(30).joined(separator: "\n"))
        }
        // Let the readers drain the pipes.
        cond.lock()
        // Both streams: a one-line error on stderr can arrive after stdout's end of file.
        while !ended || !stderrEnded { if !cond.wait(until: Date().addingTimeInterval(2)) { break } }
        cond.unlock()
        return process.terminationStatus
    }
}

/// Runs a command to completion and returns its exit code and output.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 60,
         stdin: String? = nil) throws -> (code: Int32, stdout: String, stderr: String) {
    let p = try ManagedProcess(executable, arguments, environment: environment, stdin: stdin)
    let code = try p.waitForExit(timeout: timeout)
    let out = p.standardOutput
    let all = p.output
    var errLines = all
    for l in out { if let i = errLines.firstIndex(of: l) { errLines.remove(at: i) } }
    return (code, out.joined(separator: "\n"), errLines.joined(separator: "\n"))
}
