import Foundation

extension MachinesReport {
    /// The text `treadfleet machines` prints.
    public var text: String {
        guard !machines.isEmpty else { return "No machines have reported yet.\n" }
        var out = "\(machines.count) machine\(machines.count == 1 ? "" : "s") (times UTC; faults since \(ReportFormat.minute(faultsSince)))\n"
        for m in machines {
            out += "\n\(m.site)/\(m.machine)\n"
            out += "  last seen      \(ReportFormat.minute(m.lastSeen))\n"
            out += "  sessions       \(m.sessions)\n"
            if let c = m.counters {
                out += "  belt           \(String(format: "%.1f", c.beltKm)) km (\(String(format: "%.1f", c.reverseKm)) km backwards)\n"
                out += "  running        \(String(format: "%.1f", c.runningHours)) h (counters of \(ReportFormat.minute(c.at)))\n"
            } else {
                out += "  counters       none received yet\n"
            }
            if m.recentFaults.isEmpty {
                out += "  faults         none in the last 7 days\n"
            } else {
                let list = m.recentFaults.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) ×\($0.value)" }
                out += "  faults         \(list.joined(separator: ", ")) (last 7 days)\n"
            }
            if let s = m.maintenance {
                let next = String(format: "%.0f", s.nextAtKm)
                if s.due, let at = s.dueAtKm {
                    out += "  maintenance    DUE (service due at \(String(format: "%.0f", at)) km; next at \(next) km)\n"
                } else {
                    out += "  maintenance    not due (due at \(next) km)\n"
                }
            }
        }
        return out
    }
}
