import TreadCore

extension DaemonConfig {
    /// The effective configuration, for `treadd --check-config`.
    public var summary: String {
        """
        config:            \(file)
        socket:            \(socketPath) (mode 0660, group \(socketGroup ?? "of the daemon"))
        programs:          \(programsDirectory)
        control rate:      \(controlHz) Hz
        thread priority:   \(realtime.map { "drive thread \($0), input thread \($0.forInputs)" } ?? "normal (realtime_priority = 0)")
        drive:             \(profile.name) (\(profilePath))
        transport:         \(modbus.transport), unit \(modbus.unit), poll every \(Int(pollInterval.inSeconds * 1000)) ms
        setpoint lifetime: \(Int(setpointLifetime.inSeconds * 1000)) ms (the drive thread stops the drive if the loop stops renewing it)
        drive comm-loss:   \(profile.commLossTimeout.inSeconds) s, then \(profile.commLossAction)
        belt:              \(calibration.kmhPerHz) km/h per Hz
        forward max:       \(limits.maxForwardSpeed)
        reverse max:       \(limits.maxReverseSpeed) (hard limit \(HardLimits.maxReverseSpeed))
        start speed:       \(limits.startSpeed)
        accel / decel:     \(limits.acceleration) / \(limits.deceleration) km/h per s
        direction dwell:   \(limits.directionDwell.inSeconds) s
        rail grace:        \(limits.railGrace.inSeconds) s (hard limit \(HardLimits.maxRailGrace.inSeconds) s), rails: \(railRule.rawValue)
        inputs:            \(inputs.rawValue)
        metrics:           \(metrics.map { "http://\($0)/metrics" } ?? "off")
        history:           \(historyPath ?? "off") (queue \(historyQueue))
        incline max:       \(limits.maxIncline == 0 ? "no incline" : "\(limits.maxIncline)%")
        """ + ioSummary
    }

    private var ioSummary: String {
        guard let io else { return "" }
        var lines = io.allSpecs.map { s in
            let extras = [s.activeLow ? "active-low" : nil, s.bias == .asIs ? nil : s.bias.rawValue,
                          s.debounce > .zero ? "debounce \(s.debounce.nanoseconds / 1_000_000) ms" : nil].compactMap { $0 }
            return "\n  \(s.role.padding(toLength: 16, withPad: " ", startingAt: 0)) \(s.chip.map { "\($0) " } ?? "")line \(s.line)"
                + (extras.isEmpty ? "" : " (\(extras.joined(separator: ", ")))")
        }
        lines.append("\n  chatter fault:   more than \(io.chatter.edges) changes in \(io.chatter.window.inSeconds) s, cleared after \(io.chatter.quiet.inSeconds) s quiet")
        return lines.joined()
    }
}
