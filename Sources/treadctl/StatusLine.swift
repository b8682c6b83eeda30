import TreadProtocol

/// One human line for a status: segment, direction, speeds, time, rails.
enum StatusLine {
    static func describe(_ s: Status) -> String {
        var parts: [String] = [s.state]
        if let p = s.program, let i = s.segmentIndex, let n = s.segmentCount { parts.append("\(p) segment \(i)/\(n)") }
        parts.append(arrow(s.direction) + " " + s.direction)
        parts.append("target \(kmh(s.targetSpeedKmh)) belt \(kmh(s.beltSpeedKmh)) km/h")
        if s.program != nil { parts.append("elapsed \(clock(s.elapsedS)) left \(clock(s.remainingS))") }
        parts.append("rails L:\(s.rails.left) R:\(s.rails.right)")
        parts += workoutParts(s)
        if let f = s.fault { parts.append("FAULT \(f.code): \(f.message)") } else if let n = s.notice { parts.append(n) }
        return parts.joined(separator: " | ")
    }

    static func arrow(_ direction: String) -> String {
        switch direction {
        case "forward": return "↑"
        case "reverse": return "↓"
        default: return "·"
        }
    }

    /// A speed treadd does not know (the drive's report is missing or too old) reads "?".
    static func kmh(_ v: Double?) -> String {
        guard let v else { return "?" }
        let t = Int((v * 10).rounded())
        return "\(t / 10).\(abs(t % 10))"
    }

    static func clock(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        return "\(s / 60):\(s % 60 < 10 ? "0" : "")\(s % 60)"
    }
}
