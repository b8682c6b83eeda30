import TreadProtocol

extension StatusLine {
    /// Distance (forwards and backwards apart), the energy estimate, and a history database
    /// that is failing: the belt never waits on it, but the member and technician should know.
    static func workoutParts(_ s: Status) -> [String] {
        var parts: [String] = []
        if let f = s.distanceForwardM, let r = s.distanceReverseM {
            parts.append("fwd \(Int(f.rounded())) m back \(Int(r.rounded())) m"
                         + (s.energyKcalEstimate.map { " ~\(Int($0.rounded())) kcal (est.)" } ?? ""))
        }
        if let h = s.history, h.state == "failing" || h.dropped > 0 {
            parts.append("HISTORY \(h.state): \(h.error ?? "") (\(h.pending) waiting, \(h.dropped) dropped)")
        }
        return parts
    }
}
