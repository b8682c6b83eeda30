import Foundation
import TreadProtocol

/// Prints a session as it runs. On a terminal: the `LiveDisplay` panel redrawn in place,
/// with event lines scrolling above it. Otherwise (a pipe, a log): one plain line per event,
/// and a progress line each second and at each new segment.
struct Follower {
    let connection: DaemonConnection
    let isTerminal = isatty(STDOUT_FILENO) == 1

    func follow(untilEnd: Bool, first: Status? = nil) throws(CLIError) {
        let panel = isTerminal ? TerminalPanel() : nil
        var sawSession = false
        var lastPlain = Date.distantPast
        var lastSegment: Int? = nil
        var program: String? = nil
        var pending = first.map { ServerMessage(event: .progress, status: $0) }
        while true {
            let m: ServerMessage
            if let p = pending { m = p; pending = nil } else { m = try connection.next() }
            guard let event = m.event else { continue }
            if event != .progress {
                let line = EventLine.describe(m)
                if let panel { panel.note(line) } else { print(line); flushStdout() }
            }
            guard let s = m.status else { continue }
            if let p = s.program { program = p }
            if let panel {
                panel.draw(LiveDisplay.render(s, width: TerminalPanel.width))
            } else if event == .progress, Date().timeIntervalSince(lastPlain) >= 1 || s.segmentIndex != lastSegment {
                print(StatusLine.describe(s))
                flushStdout()
                lastPlain = Date()
                lastSegment = s.segmentIndex
            }
            if s.state != "idle" && s.state != "fault" { sawSession = true }
            if untilEnd {
                if s.state == "fault" {
                    panel?.finish()
                    throw .sessionFault("session ended in a fault: \(s.fault?.message ?? "unknown")")
                }
                if sawSession && s.state == "idle" {
                    panel?.finish()
                    print("session over: \(program ?? "program")")
                    return
                }
            }
        }
    }
}

/// `print` buffers when stdout is a pipe; a follower's lines must appear as they happen.
func flushStdout() {
    fflush(nil)  // flushes every output stream, stdout included
}
