import Foundation
import TreadCore
import TreadHardware
import TreadFiles

extension DaemonConfig {
    /// - Parameter allowSimulatedInputs: lets `[inputs] source = "simulated"` drive a real
    ///   drive (RTU, or TCP beyond loopback); without it that pairing is refused, since such a
    ///   machine would move a belt with no e-stop, key or rail sensor read.
    public static func load(path: String, allowSimulatedInputs: Bool = false) throws(FileError) -> DaemonConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FileError(file: path, line: nil, key: nil, message: "cannot read config: \(error.localizedDescription)")
        }
        return try parse(text, file: path, allowSimulatedInputs: allowSimulatedInputs)
    }

    public static func parse(_ text: String, file: String, allowSimulatedInputs: Bool = false) throws(FileError) -> DaemonConfig {
        let root = try TOMLDocument(text: text, file: file).root
        try root.rejectUnknownKeys(["daemon", "drive", "belt", "limits", "inputs", "io", "metrics", "history"])
        let base = (file as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") ? p : ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(p)
        }

        let daemon = try root.section("daemon")
        try daemon?.rejectUnknownKeys(["socket", "socket_group", "programs", "control_hz", "realtime_priority"])
        let socket = try daemon?.string("socket") ?? "/run/treadd/treadd.sock"
        let socketGroup = try daemon?.string("socket_group") ?? "treadmill"
        let programs = resolve(try daemon?.string("programs") ?? "programs")
        let hz = try daemon?.double("control_hz") ?? 25
        guard (20...50).contains(hz) else { throw daemon!.error("control_hz", "must be between 20 and 50, got \(hz)") }
        let rtValue = try daemon?.int("realtime_priority") ?? 0
        guard rtValue == 0 || (1...Int(RealtimePriority.maxConfigurable - RealtimePriority.inputOffset)).contains(rtValue) else {
            throw daemon!.error("realtime_priority", "must be 0 (normal priority) or 1...\(RealtimePriority.maxConfigurable - RealtimePriority.inputOffset) (SCHED_FIFO for the drive thread, one more for the input thread), got \(rtValue)")
        }

        let drive = try root.required("drive", root.section)
        try drive.rejectUnknownKeys(["profile", "transport", "host", "port", "unit", "device", "baud", "parity", "data_bits", "stop_bits",
                                     "rs485", "rts", "poll_ms", "response_timeout_ms", "byte_timeout_ms", "missed_polls",
                                     "setpoint_lifetime_ms"])
        let profilePath = resolve(try drive.required("profile", drive.string))
        let profile: DriveProfile
        do { profile = try DriveProfile.load(path: profilePath) } catch {
            if error.line == nil, error.key == nil {
                throw drive.error("profile", "\(error.message) (\(profilePath))")
            }
            throw error
        }
        let transportName = try drive.string("transport") ?? "tcp"
        let transport: ModbusTransport
        switch transportName {
        case "tcp":
            let port = try drive.int("port") ?? 502
            guard (1...65535).contains(port) else { throw drive.error("port", "must be 1...65535, got \(port)") }
            transport = .tcp(host: try drive.string("host") ?? "127.0.0.1", port: port)
        case "rtu":
            let parity = try drive.string("parity") ?? "N"
            guard ["N", "E", "O"].contains(parity) else { throw drive.error("parity", "must be \"N\", \"E\" or \"O\", got \"\(parity)\"") }
            let baud = try drive.int("baud") ?? 19200
            guard [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200].contains(baud) else {
                throw drive.error("baud", "\(baud) is not a standard baud rate")
            }
            transport = .rtu(SerialSettings(device: try drive.required("device", drive.string), baud: baud, parity: Character(parity),
                                            dataBits: try drive.int("data_bits") ?? 8, stopBits: try drive.int("stop_bits") ?? 1,
                                            rs485: try drive.bool("rs485") ?? false, rts: try rtsMode()))
        default:
            throw drive.error("transport", "must be \"tcp\" or \"rtu\", got \"\(transportName)\"")
        }
        func rtsMode() throws(FileError) -> SerialSettings.RTSMode {
            let text = try drive.string("rts") ?? "none"
            guard let m = SerialSettings.RTSMode(rawValue: text) else { throw drive.error("rts", "must be \"none\", \"up\" or \"down\", got \"\(text)\"") }
            return m
        }
        let unit = try drive.int("unit") ?? 1
        guard (1...247).contains(unit) else { throw drive.error("unit", "must be 1...247, got \(unit)") }
        let pollMs = try drive.int("poll_ms") ?? 50
        let timeoutMs = try drive.int("response_timeout_ms") ?? 200
        // The drive's own comm-loss stop must never fire while treadd is healthy, and must
        // fire soon after it is not: polls come at least three times per timeout.
        guard pollMs >= 10, pollMs <= 200, Double(pollMs) * 3 <= profile.commLossTimeout.inSeconds * 1000 else {
            throw drive.error("poll_ms", "must be between 10 and 200 (at least 5 polls a second) and at most a third of the drive's comm-loss timeout (\(Int(profile.commLossTimeout.inSeconds * 1000)) ms), got \(pollMs)")
        }
        guard (20...1000).contains(timeoutMs) else { throw drive.error("response_timeout_ms", "must be 20...1000, got \(timeoutMs)") }
        let byteTimeoutMs = try drive.int("byte_timeout_ms") ?? 50
        guard (1...1000).contains(byteTimeoutMs) else { throw drive.error("byte_timeout_ms", "must be 1...1000, got \(byteTimeoutMs)") }
        let missedPolls = try drive.int("missed_polls") ?? 3
        guard (1...20).contains(missedPolls) else { throw drive.error("missed_polls", "must be 1...20, got \(missedPolls)") }
        let lifetimeMs = try drive.int("setpoint_lifetime_ms") ?? 300
        let controlPeriodMs = 1000 / hz
        guard (100...1000).contains(lifetimeMs), Double(lifetimeMs) >= 3 * controlPeriodMs else {
            throw drive.error("setpoint_lifetime_ms", "must be 100...1000 and at least three control periods (\(Int((3 * controlPeriodMs).rounded(.up))) ms), got \(lifetimeMs)")
        }

        let belt = try root.required("belt", root.section)
        try belt.rejectUnknownKeys(["kmh_per_hz"])
        let kmhPerHz = try belt.required("kmh_per_hz", belt.double)
        guard kmhPerHz > 0, kmhPerHz < 2 else { throw belt.error("kmh_per_hz", "must be above 0 and below 2, got \(kmhPerHz)") }

        let limitsSection = try root.required("limits", root.section)
        try limitsSection.rejectUnknownKeys(["max_forward_kmh", "max_reverse_kmh", "start_kmh", "accel_kmh_per_s", "decel_kmh_per_s",
                                             "direction_dwell_s", "standstill_kmh", "rail_grace_s", "rails", "max_incline_pct",
                                             "overspeed_margin_kmh", "tracking_tolerance_kmh", "tracking_time_s"])
        let d = MachineLimits()
        var limits = MachineLimits(
            maxForwardSpeed: .kmh(try limitsSection.double("max_forward_kmh") ?? d.maxForwardSpeed.kmh),
            maxReverseSpeed: .kmh(try limitsSection.double("max_reverse_kmh") ?? d.maxReverseSpeed.kmh),
            startSpeed: .kmh(try limitsSection.double("start_kmh") ?? d.startSpeed.kmh),
            acceleration: try limitsSection.double("accel_kmh_per_s") ?? d.acceleration,
            deceleration: try limitsSection.double("decel_kmh_per_s") ?? d.deceleration,
            directionDwell: try limitsSection.seconds("direction_dwell_s") ?? d.directionDwell,
            standstill: .kmh(try limitsSection.double("standstill_kmh") ?? d.standstill.kmh),
            railGrace: try limitsSection.seconds("rail_grace_s") ?? d.railGrace)
        limits.maxIncline = try limitsSection.double("max_incline_pct") ?? 0
        limits.overspeedMargin = .kmh(try limitsSection.double("overspeed_margin_kmh") ?? d.overspeedMargin.kmh)
        limits.trackingTolerance = .kmh(try limitsSection.double("tracking_tolerance_kmh") ?? d.trackingTolerance.kmh)
        limits.trackingTime = try limitsSection.seconds("tracking_time_s") ?? d.trackingTime
        if let v = limits.violations().first { throw limitsSection.error(v.key, v.message) }
        let beltMax = BeltCalibration(kmhPerHz: kmhPerHz).speed(hz: profile.maxFrequencyHz)
        if limits.maxForwardSpeed > beltMax {
            throw limitsSection.error("max_forward_kmh", "\(limits.maxForwardSpeed) is beyond what the drive can reach (\(beltMax) at \(profile.maxFrequencyHz) Hz)")
        }
        let railsText = try limitsSection.string("rails") ?? "both"
        guard let railRule = Interlock.RailRule(rawValue: railsText) else {
            throw limitsSection.error("rails", "must be \"both\" or \"either\", got \"\(railsText)\"")
        }

        // No default: a config that does not say where the e-stop is read from must not run
        // a belt on simulated inputs that always read "closed".
        guard let inputs = try root.section("inputs") else {
            throw root.error("inputs", "[inputs] is required: source = \"gpio\" (the lines wired as in [io]) or \"simulated\" (demos and tests only)")
        }
        try inputs.rejectUnknownKeys(["source", "front_zone"])
        guard let sourceName = try inputs.string("source") else {
            throw inputs.error("source", "is required: \"gpio\" (the lines wired as in [io]) or \"simulated\" (demos and tests only)")
        }
        guard let source = InputSourceKind(rawValue: sourceName) else {
            throw inputs.error("source", "must be \"gpio\" (lines wired as in [io]) or \"simulated\", got \"\(sourceName)\"")
        }
        if source == .simulated, !allowSimulatedInputs, let real = realDrive(transport) {
            throw inputs.error("source", "\"simulated\" is refused with \(real): no e-stop, safety key or rail sensor would be read while a real belt moves; wire the inputs and set source = \"gpio\", or start treadd with --allow-simulated-inputs for a bench test")
        }
        let simulatedFrontZone = try inputs.bool("front_zone") ?? false
        if simulatedFrontZone, source == .gpio {
            throw inputs.error("front_zone", "applies to simulated inputs only; with GPIO, wire [io.front_zone]")
        }
        var io: IOConfig?
        switch (source, try root.section("io")) {
        case (.gpio, let section?): io = try IOConfig.parse(section)
        case (.gpio, nil): throw root.error("io", "[inputs] source = \"gpio\" needs an [io] section naming the lines")
        case (.simulated, let section?): throw section.error(nil, "[io] is only read with [inputs] source = \"gpio\"")
        case (.simulated, nil): io = nil
        }

        let metricsSection = try root.section("metrics")
        try metricsSection?.rejectUnknownKeys(["listen"])
        var metrics: MetricsEndpoint?
        if let metricsSection, let listen = try metricsSection.string("listen") {
            do { metrics = try MetricsEndpoint(parsing: listen) } catch { throw metricsSection.error("listen", error.description) }
        }

        let historySection = try root.section("history")
        try historySection?.rejectUnknownKeys(["path", "queue", "fleet_members"])
        let historyText = try historySection?.string("path") ?? "/var/lib/treadd/history.sqlite"
        let historyPath = historyText.isEmpty ? "" : resolve(historyText)
        let historyQueue = try historySection?.int("queue") ?? 4096
        guard (16...1_000_000).contains(historyQueue) else { throw historySection!.error("queue", "must be 16...1000000, got \(historyQueue)") }

        var config = DaemonConfig(
            file: file, socketPath: socket, programsDirectory: programs, controlHz: hz, profilePath: profilePath, profile: profile,
            modbus: ModbusSettings(transport: transport, unit: unit, responseTimeout: .milliseconds(timeoutMs), byteTimeout: .milliseconds(byteTimeoutMs)),
            pollInterval: .milliseconds(pollMs), missedPolls: missedPolls, calibration: BeltCalibration(kmhPerHz: kmhPerHz), limits: limits,
            railRule: railRule, inputs: source, initialInputs: .ready, io: io, simulatedFrontZone: simulatedFrontZone)
        config.socketGroup = socketGroup.isEmpty ? nil : socketGroup
        config.setpointLifetime = .milliseconds(lifetimeMs)
        config.realtime = rtValue == 0 ? nil : RealtimePriority(Int32(rtValue))
        config.metrics = metrics
        config.historyPath = historyPath.isEmpty ? nil : historyPath
        config.historyQueue = historyQueue
        if let fleet = try historySection?.string("fleet_members"), !fleet.isEmpty { config.fleetMembersPath = resolve(fleet) }
        return config
    }
}

extension DaemonConfig {
    /// Names the drive when it may be a real one: any RTU line, or TCP beyond loopback
    /// (a simulator is reached on 127.0.0.0/8 or ::1). Nil for a loopback simulator.
    static func realDrive(_ transport: ModbusTransport) -> String? {
        switch transport {
        case .rtu(let s): return "an RTU drive ([drive] device = \"\(s.device)\")"
        case .tcp(let host, _):
            let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
            return loopback ? nil : "a drive at \(host) ([drive] host)"
        }
    }
}
