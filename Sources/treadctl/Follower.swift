import Foundation
import TreadProtocol

/// Prints a session as it runs: on a terminal one line redrawn in place with events above it,
/// otherwise one plain line per event and a progress line each second.
struct Follower {
    let connection: DaemonConnection
    let isTerminal = isatty(STDOUT_FILENO) == 1

    func follow(untilEnd: Bool) throws(CLIError) {
        var sawSession = false
        var lastPlain = Date.distantPast
        var lastSegment: Int? = nil
        var program: String? = nil
        while true {
            let m = try connection.next()
            guard let event = m.event else { continue }
            if event != "progress", let text = m.message {
                emit("[\(event)] \(text)")
            }
            guard let s = m.status else { continue }
            if let p = s.program { program = p }
            if event == "progress" {
                if isTerminal {
                    print("\r\u{1B}[K" + StatusLine.describe(s), terminator: "")
                    flushStdout()
                } else if Date().timeIntervalSince(lastPlain) >= 1 || s.segmentIndex != lastSegment {
                    print(StatusLine.describe(s))
                    flushStdout()
                    lastPlain = Date()
                    lastSegment = s.segmentIndex
                }
            }
            if s.state != "idle" && s.state != "fault" { sawSession = true }
            if untilEnd {
                if s.state == "fault" {
                    finishLine()
                    throw .sessionFault("session ended in a fault: \(s.fault?.message ?? "unknown")")
                }
                if sawSession && s.state == "idle" {
                    finishLine()
                    print("session over: \(program ?? "program")")
                    return
                }
            }
        }
    }

    private func emit(_ line: String) {
        if isTerminal { print("\r\u{1B}[K" + line) } else { print(line) }
        flushStdout()
    }

    private func finishLine() {
        if isTerminal { print("") }
    }
}

/// `print` buffers when stdout is a pipe; a follower's lines must appear as they happen.
func flushStdout() {
    fflush(nil)  // flushes every output stream, stdout included
}
