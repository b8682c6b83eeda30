import TreadCore
import TreadProtocol

/// The one line a technician reads in `systemctl status treadd` (sd_notify's STATUS=).
///
/// Built from what changes with the treadmill's state or segment, never from the belt's
/// moving speed, so it changes on events and not on every tick.
enum ServiceStatusLine {
    static func make(_ s: Status, programs: Int) -> String {
        let name = s.program ?? "session"
        guard let state = TreadmillState(rawValue: s.state) else { return "\(s.state), drive \(s.drive)" }
        switch state {
        case .fault:
            return "FAULT: " + (s.fault?.message ?? "unknown")
        case .running:
            let dir = s.segmentDirection ?? s.direction
            let segment = s.segmentIndex.flatMap { i in s.segmentCount.map { " (segment \(i)/\($0))" } } ?? ""
            return "running \(name)\(segment), \(dir) \(speedText(s.targetSpeedKmh)) km/h" + (s.drive == "online" ? "" : ", drive \(s.drive)")
        case .paused:
            return "paused \(name)" + (s.pauseReason.map { ": \($0.replacingOccurrences(of: "_", with: " "))" } ?? "")
        case .stopping:
            return "stopping \(name)"
        case .idle:
            return "idle, drive \(s.drive), \(programs) program\(programs == 1 ? "" : "s")"
        }
    }

    /// 2.5 stays "2.5", 3.0 becomes "3".
    static func speedText(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
