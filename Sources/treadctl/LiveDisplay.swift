import TreadProtocol

/// The live panel `watch` and `start --follow` show on a terminal: what a member on the belt
/// and a technician beside it want at a glance. A pure function of the status and the width,
/// so its frames are checked against snapshots; `TerminalPanel` draws them in place.
///
///     running   demo · Demo: forward, reverse, forward
///     segments  [■■▶□]  3/4  ↓ reverse
///     progress  [██████████░░░░░░░░░░░░░░░░░░░░] 0:31 of 1:20, 0:49 left
///     speed     2.0 km/h (target 2.0)   segment 0:23 left
///     next      ↑ forward 3.0 km/h in 0:23
///     rails     L held  R held   e-stop closed   key inserted   drive online
///     notice    Walk backwards
///
/// Always the same number of lines (absent values show as "-"), so a redraw covers the
/// previous frame exactly; lines are cut to the terminal width so none wraps.
enum LiveDisplay {
    static let lineCount = 7
    static let barWidth = 30

    static func render(_ s: Status, width: Int = 80) -> [String] {
        var lines: [String] = []
        let title = [s.program, s.programTitle].compactMap { $0 }.joined(separator: " · ")
        lines.append(label(s.state) + (title.isEmpty ? "no session" : title))
        lines.append(label("segments") + segmentLine(s))
        lines.append(label("progress") + progressLine(s))
        var speed = "\(StatusLine.kmh(s.beltSpeedKmh)) km/h (target \(StatusLine.kmh(s.targetSpeedKmh)))"
        if let left = s.segmentRemainingS { speed += "   segment \(StatusLine.clock(left)) left" }
        lines.append(label("speed") + speed)
        lines.append(label("next") + (s.next.map { "\(StatusLine.arrow($0.direction)) \($0.direction) \(StatusLine.kmh($0.speedKmh)) km/h in \(StatusLine.clock($0.inS))" } ?? "-"))
        lines.append(label("rails") + "L \(s.rails.left)  R \(s.rails.right)   e-stop \(s.estop)   key \(s.safetyKey)   drive \(s.drive)")
        if let f = s.fault {
            lines.append(label("FAULT") + "\(f.code): \(f.message) (treadctl reset once the cause is gone)")
        } else if let r = s.pauseReason, s.state == "paused" {
            lines.append(label("paused") + r)
        } else {
            lines.append(label("notice") + (s.notice ?? "-"))
        }
        return lines.map { fit($0, width) }
    }

    /// One cell per segment: done ■, current ▶, to come □ (elided past 40 segments).
    static func segmentLine(_ s: Status) -> String {
        let arrow = "\(StatusLine.arrow(s.direction)) \(s.direction)"
        guard let i = s.segmentIndex, let n = s.segmentCount, n > 0 else { return "-   " + arrow }
        let cells: String
        if n <= 40 {
            cells = (1...n).map { $0 < i ? "■" : $0 == i ? "▶" : "□" }.joined()
        } else {
            cells = "\(String(repeating: "■", count: min(i - 1, 20)))▶…"
        }
        return "[\(cells)]  \(i)/\(n)  \(arrow)"
    }

    static func progressLine(_ s: Status) -> String {
        let total = s.elapsedS + s.remainingS
        guard s.program != nil, total > 0 else { return "[\(String(repeating: "░", count: barWidth))]" }
        let filled = min(barWidth, max(0, Int((s.elapsedS / total * Double(barWidth)).rounded(.down))))
        return "[\(String(repeating: "█", count: filled))\(String(repeating: "░", count: barWidth - filled))] "
            + "\(StatusLine.clock(s.elapsedS)) of \(StatusLine.clock(total)), \(StatusLine.clock(s.remainingS)) left"
    }

    private static func label(_ text: String) -> String { text.padding(toLength: 10) }

    private static func fit(_ line: String, _ width: Int) -> String {
        line.count <= width ? line : String(line.prefix(max(1, width - 1))) + "…"
    }
}
