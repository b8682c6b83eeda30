import TreadCore
import TreadHardware
import TreadFiles

extension IOConfig {
    static let requiredInputs: [InputLine] = [.estop, .safetyKey, .railLeft, .railRight]

    /// Parses `[io]`. A line named twice within the file is refused here, with both keys;
    /// lines that resolve to the same pin in another way are refused at start.
    static func parse(_ io: TOMLSection) throws(FileError) -> IOConfig {
        let roles = InputLine.allCases.map(\.rawValue) + ["drive_enable", "warning", "enable_watchdog"]
        try io.rejectUnknownKeys(Set(["chip", "debounce_ms", "chatter_edges", "chatter_window_ms", "chatter_quiet_ms"] + roles))
        let chip = try io.string("chip")
        let debounceMs = try io.int("debounce_ms") ?? 5
        guard (0...100).contains(debounceMs) else { throw io.error("debounce_ms", "must be between 0 and 100 ms, got \(debounceMs)") }
        let edges = try io.int("chatter_edges") ?? 10
        guard (2...1000).contains(edges) else { throw io.error("chatter_edges", "must be between 2 and 1000, got \(edges)") }
        let windowMs = try io.int("chatter_window_ms") ?? 1000
        guard (100...10_000).contains(windowMs) else { throw io.error("chatter_window_ms", "must be between 100 and 10000 ms, got \(windowMs)") }
        let quietMs = try io.int("chatter_quiet_ms") ?? 2000
        guard (100...60_000).contains(quietMs) else { throw io.error("chatter_quiet_ms", "must be between 100 and 60000 ms, got \(quietMs)") }

        var seen: [String: String] = [:]
        func line(_ role: String, input: Bool, required: Bool) throws(FileError) -> GPIOLineSpec? {
            guard let s = try io.section(role) else {
                if required { throw io.error(role, "is required when [inputs] source = \"gpio\" (a table with at least `line`)") }
                return nil
            }
            try s.rejectUnknownKeys(input ? ["chip", "line", "active_low", "bias", "debounce_ms"] : ["chip", "line", "active_low"])
            let lineRef: GPIOLineSpec.Line
            if let name = try? s.string("line") {
                guard !name.isEmpty else { throw s.error("line", "must not be empty") }
                lineRef = .name(name)
            } else if let offset = try? s.int("line") {
                guard offset >= 0 else { throw s.error("line", "an offset must be 0 or more, got \(offset)") }
                lineRef = .offset(offset)
            } else if s.contains("line") {
                throw s.error("line", "expected a line name (string) or an offset (integer)")
            } else {
                throw s.error("line", "is required but missing")
            }
            let lineChip = try s.string("chip") ?? chip
            if case .offset = lineRef, lineChip == nil { throw s.error("line", "a line given by offset needs `chip` here or in [io]") }
            let identity = "\(lineChip ?? "*")/\(lineRef)"
            if let other = seen[identity] { throw s.error("line", "line \(lineRef) is already used by io.\(other)") }
            seen[identity] = role
            var bias = GPIOLineSpec.Bias.asIs
            if input, let b = try s.string("bias") {
                guard let parsed = GPIOLineSpec.Bias(rawValue: b) else {
                    throw s.error("bias", "must be one of \(GPIOLineSpec.Bias.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(b)\"")
                }
                bias = parsed
            }
            var debounce = debounceMs
            if input, let d = try s.int("debounce_ms") {
                guard (0...100).contains(d) else { throw s.error("debounce_ms", "must be between 0 and 100 ms, got \(d)") }
                debounce = d
            }
            return GPIOLineSpec(role: role, chip: lineChip, line: lineRef, activeLow: try s.bool("active_low") ?? false,
                                bias: bias, debounce: input ? .milliseconds(Int64(debounce)) : .zero)
        }

        var inputs: [InputLine: GPIOLineSpec] = [:]
        for l in InputLine.allCases {
            if let spec = try line(l.rawValue, input: true, required: requiredInputs.contains(l)) { inputs[l] = spec }
        }
        let enable = try line("drive_enable", input: false, required: true)!
        let warning = try line("warning", input: false, required: false)
        var config = IOConfig(inputs: inputs, driveEnable: enable, warning: warning,
                              chatter: .init(edges: edges, window: .milliseconds(Int64(windowMs)), quiet: .milliseconds(Int64(quietMs))))
        config.enableWatchdog = try line("enable_watchdog", input: false, required: false)
        return config
    }
}
