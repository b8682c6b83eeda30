import CModbus
import Foundation
import TreadCore

/// Fault injection: the control commands a test or a technician sends, and the state report.
extension SimulatorServer {
    public static let controlHelp = """
        Control commands, one a line, each answered "ok" or "error: ...":
          silent on|off       stop answering Modbus (no comm-loss timer feed)
          late MS|off         answer MS ms late (requests served at once)
          exception CODE|off  answer everything with Modbus exception CODE
          crc on|off          RTU only: corrupt the CRC of every answer
          garble SEED|off     answer everything with a garbled frame (seeded), serve nothing
          trip CODE           drive fault CODE: trip, coast, await a reset
          overspeed FACTOR|off  belt runs FACTOR (0-10] x the reference; output Hz too
          freeze on|off       status word, output Hz frozen; the belt moves on
          clear               all injections off, overspeed, freeze (a trip stays)
          state               the simulator state as one JSON line
          help                this list on one line
        """

    /// Runs one control command (see `controlHelp`) and returns its one-line answer.
    public func control(_ line: String) -> String {
        let words = line.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
        guard let verb = words.first else { return "error: empty command (try help)" }
        let args = Array(words.dropFirst())
        let now = Self.monotonicNow()
        func onOff() -> Bool? { args.count == 1 ? ["on": true, "off": false][args[0]] : nil }
        func number(_ range: ClosedRange<Int>) -> Int? {
            guard args.count == 1, let v = Int(args[0]), range.contains(v) else { return nil }
            return v
        }
        let exceptionMax = Int(cmodbus_exception_max()) - 1
        switch verb {
        case "silent":
            guard let on = onOff() else { return "error: usage: silent on|off" }
            injections.silent = on
        case "late":
            if args == ["off"] { injections.lateMs = 0 } else {
                guard let ms = number(0...60_000) else { return "error: usage: late MS|off (MS in 0...60000)" }
                injections.lateMs = ms
            }
        case "exception":
            if args == ["off"] { injections.exception = nil } else {
                guard let code = number(1...exceptionMax) else { return "error: usage: exception CODE|off (CODE in 1...\(exceptionMax))" }
                injections.exception = code
            }
        case "crc":
            guard let on = onOff() else { return "error: usage: crc on|off" }
            if on, isTCP { return "error: crc corruption needs RTU (Modbus TCP frames carry no CRC)" }
            injections.corruptCRC = on
        case "garble":
            if args == ["off"] {
                injections.garbleSeed = nil
                garbler = nil
            } else {
                guard args.count == 1, let seed = UInt64(args[0]) else { return "error: usage: garble SEED|off (SEED a whole number)" }
                injections.garbleSeed = seed
                garbler = ReplyGarbler(seed: seed)
            }
        case "trip":
            guard let code = number(1...65535) else { return "error: usage: trip CODE (CODE in 1...65535)" }
            simulator.trip(code: code, at: now)
            copyRegistersToMapping()
        case "overspeed":
            if args == ["off"] { simulator.setOverspeed(1, at: now) } else {
                guard args.count == 1, let f = Double(args[0]), f.isFinite, f > 0, f <= 10 else {
                    return "error: usage: overspeed FACTOR|off (FACTOR above 0, at most 10)"
                }
                simulator.setOverspeed(f, at: now)
            }
            copyRegistersToMapping()
        case "freeze":
            guard let on = onOff() else { return "error: usage: freeze on|off" }
            simulator.freeze(on, at: now)
            copyRegistersToMapping()
        case "clear":
            guard args.isEmpty else { return "error: usage: clear" }
            injections = SimulatorInjections()
            garbler = nil
            simulator.setOverspeed(1, at: now)
            simulator.freeze(false, at: now)
            copyRegistersToMapping()
        case "state":
            guard args.isEmpty else { return "error: usage: state" }
            simulator.advance(to: now)
            // Log what the answer reports, so the log never lags a state a client has seen.
            logStateIfNeeded(now)
            return stateJSON(now)
        case "help":
            return "ok: " + Self.controlHelp.split(separator: "\n").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
        default:
            return "error: unknown command \"\(verb)\" (try help)"
        }
        writeLine("{\"t\":\(seconds(now)),\"kind\":\"inject\",\"command\":\"\(([verb] + args).joined(separator: " "))\"}")
        logStateIfNeeded(now)
        return "ok"
    }

    /// The simulator state as one JSON object (the `state` control command).
    public func stateJSON(_ now: Instant) -> String {
        let s = simulator
        // The watchdog as the drive works with it (0 = off): for a packed field, on only while
        // the field holds the profile's value.
        let commLossMs = s.commLossTimeout.map { Int(($0.inSeconds * 1000).rounded()) } ?? 0
        return "{\"t\":\(seconds(now)),\"output_hz\":\(hz(s.outputHz)),\"direction\":\"\(s.direction.rawValue)\",\"running\":\(s.isRunning),"
            + "\"run_commanded\":\(s.runCommanded),\"reference_hz\":\(hz(s.referenceHz)),\"trip\":\(s.tripCode ?? 0),"
            + "\"comm_loss_ms\":\(commLossMs),\"comm_loss_warning\":\(s.commLossWarning),\"enabled\":\(s.isEnabled),\"sequence_step\":\(s.sequenceState),"
            + "\"requests\":\(requestsServed),\"silent\":\(injections.silent),\"late_ms\":\(injections.lateMs),"
            + "\"exception\":\(injections.exception ?? 0),\"crc\":\(injections.corruptCRC),\"garble\":\(injections.garbleSeed.map(String.init) ?? "null"),"
            + "\"overspeed\":\(s.overspeedFactor),\"frozen\":\(s.isFrozen)}"
    }
}
