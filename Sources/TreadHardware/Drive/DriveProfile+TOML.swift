import Foundation
import TreadCore
import TreadFiles

extension DriveProfile {
    public static func load(path: String) throws(FileError) -> DriveProfile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FileError(file: path, line: nil, key: nil, message: "cannot read drive profile: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Reads a profile and rejects one that contradicts itself: the same register in two
    /// roles, a zero scale, equal run and stop values, a comm-loss timeout that is off, a packed
    /// field or fault-code mask whose bits make no sense.
    public static func parse(_ text: String, file: String) throws(FileError) -> DriveProfile {
        let root = try TOMLDocument(text: text, file: file).root
        try root.rejectUnknownKeys(["drive", "command", "reference", "status", "fault_reset", "comm_loss", "ramps", "parameters", "fault_codes",
                                    "start_sequence", "apply", "identity"])
        let drive = try root.required("drive", root.section)
        try drive.rejectUnknownKeys(["name", "manual", "register_numbering", "write_function", "single_register_reads", "max_frequency_hz"])
        let numbering = try drive.int("register_numbering") ?? 0
        guard numbering == 0 || numbering == 1 else { throw drive.error("register_numbering", "must be 0 or 1, got \(numbering)") }

        func reg(_ s: TOMLSection, _ key: String) throws(FileError) -> UInt16? {
            guard let v = try s.int(key) else { return nil }
            let (address, overflow) = v.subtractingReportingOverflow(numbering)
            guard !overflow, (0...0xFFFF).contains(address) else { throw s.error(key, "register \(v) is outside 0...65535 after \(numbering)-based numbering") }
            return UInt16(address)
        }
        func word(_ s: TOMLSection, _ key: String) throws(FileError) -> UInt16 {
            let v = try s.required(key, s.int)
            guard (0...0xFFFF).contains(v) else { throw s.error(key, "value \(v) does not fit a 16-bit register") }
            return UInt16(v)
        }
        func scale(_ s: TOMLSection, _ key: String) throws(FileError) -> Double {
            let v = try s.required(key, s.double)
            guard v.isFinite, v > 0 else { throw s.error(key, "scale must be above 0, got \(v)") }
            return v
        }
        func pattern(_ s: TOMLSection, _ key: String) throws(FileError) -> BitPattern {
            guard let p = try optionalPattern(s, key) else { throw s.error(key, "is required but missing") }
            return p
        }
        func optionalPattern(_ s: TOMLSection, _ key: String) throws(FileError) -> BitPattern? {
            guard let t = try s.section(key) else { return nil }
            try t.rejectUnknownKeys(["mask", "value", "register"])
            let p = BitPattern(mask: try word(t, "mask"), value: try word(t, "value"), register: try reg(t, "register"))
            guard p.mask != 0, p.value & ~p.mask == 0 else { throw s.error(key, "value must lie within a non-zero mask") }
            return p
        }

        let writeFn = try drive.int("write_function") ?? 6
        guard let writeFunction = WriteFunction(rawValue: writeFn) else { throw drive.error("write_function", "must be 6 (FC06) or 16 (FC16), got \(writeFn)") }

        let command = try root.required("command", root.section)
        try command.rejectUnknownKeys(["register", "run_forward", "run_reverse", "stop"])
        let reference = try root.required("reference", root.section)
        try reference.rejectUnknownKeys(["register", "unit_hz", "full_scale_counts", "reverse"])
        let reverseMode = try reference.string("reverse") ?? "command"
        guard reverseMode == "command" || reverseMode == "negative" else {
            throw reference.error("reverse", "must be \"command\" (run_reverse in the command word) or \"negative\" (a negative reference), got \"\(reverseMode)\"")
        }
        let bySign = reverseMode == "negative"
        if bySign, command.contains("run_reverse") {
            throw command.error("run_reverse", "must be left out when reference.reverse = \"negative\": reverse is the forward run command with a negative reference")
        }
        let status = try root.required("status", root.section)
        try status.rejectUnknownKeys(["state_register", "running", "reverse", "output_frequency_register", "output_unit_hz", "output_signed",
                                      "output_full_scale_counts", "zero_speed", "fault", "fault_code_register", "fault_code_mask"])
        let reset = try root.required("fault_reset", root.section)
        try reset.rejectUnknownKeys(["register", "value", "release_value"])
        let comm = try root.required("comm_loss", root.section)
        try comm.rejectUnknownKeys(["timeout_register", "timeout_unit_s", "timeout_s", "action_register", "action_value", "action", "fault_code", "field"])
        let ramps = try root.section("ramps")
        try ramps?.rejectUnknownKeys(["accel_time_register", "decel_time_register", "time_unit_s", "full_scale_hz"])

        let timeout = try comm.required("timeout_s", comm.double)
        guard timeout > 0, timeout <= 2 else {
            throw comm.error("timeout_s", "the comm-loss timeout must be on (above 0) and at most 2 s so a silent controller stops the belt, got \(timeout)")
        }
        /// Either separate time-out and action registers, or one packed field `{ register, mask,
        /// value }` whose value selects time-out and action together (`timeout_s` then says
        /// which time-out that value means).
        var commLoss: CommLossSetting {
            get throws(FileError) {
                guard let f = try comm.section("field") else {
                    let unit = try scale(comm, "timeout_unit_s")
                    let counts = (timeout / unit).rounded()
                    guard counts >= 1 else {
                        throw comm.error("timeout_s", "rounds to 0 counts of \(unit) s, which turns the drive's comm-loss stop off")
                    }
                    guard counts <= Double(UInt16.max) else { throw comm.error("timeout_s", "does not fit the time-out register in counts of \(unit) s") }
                    return .registers(CommLossRegisters(
                        timeoutRegister: try comm.required("timeout_register") { k throws(FileError) in try reg(comm, k) },
                        timeoutUnit: unit, timeoutCounts: UInt16(counts),
                        actionRegister: try comm.required("action_register") { k throws(FileError) in try reg(comm, k) },
                        actionValue: try word(comm, "action_value")))
                }
                for key in ["timeout_register", "timeout_unit_s", "action_register", "action_value"] where comm.contains(key) {
                    throw comm.error(key, "give either field (one packed register holding time-out and action) or timeout_register and action_register, not both")
                }
                try f.rejectUnknownKeys(["register", "mask", "value"])
                let field = PackedField(register: try f.required("register") { k throws(FileError) in try reg(f, k) },
                                        mask: try word(f, "mask"), value: try word(f, "value"))
                guard field.mask != 0 else {
                    throw f.error("mask", "must not be 0: it names the bits of register \(field.register) that hold the comm-loss setting")
                }
                guard field.value & ~field.mask == 0 else {
                    throw f.error("value", "\(hex(field.value)) has bits outside the mask \(hex(field.mask)); treadd would overwrite the settings that share the register")
                }
                return .field(field)
            }
        }
        let faultCodeRegister = try reg(status, "fault_code_register")
        var faultCodeMask: UInt16 = 0xFFFF
        if status.contains("fault_code_mask") {
            guard faultCodeRegister != nil else {
                throw status.error("fault_code_mask", "needs fault_code_register: the mask names the bits of that register that hold the code")
            }
            let m = try word(status, "fault_code_mask")
            let run = m >> m.trailingZeroBitCount
            guard m != 0, run & (run &+ 1) == 0 else {
                throw status.error("fault_code_mask", "must be one run of adjacent bits (0xFF00 for a high byte), got \(hex(m))")
            }
            faultCodeMask = m
        }
        var codes: [Int: String] = [:]
        if let table = try root.section("fault_codes") {
            for key in table.keys {
                guard let code = Int(key) else { throw table.error(key, "fault code keys must be integers") }
                codes[code] = try table.required(key, table.string)
            }
        }
        var params: [ParameterWrite] = []
        for p in try root.sections("parameters") {
            try p.rejectUnknownKeys(["name", "register", "value", "verify"])
            params.append(ParameterWrite(name: try p.required("name", p.string), register: try p.required("register") { k throws(FileError) in try reg(p, k) },
                                         value: try word(p, "value"), verify: try p.bool("verify") ?? true))
        }

        let maxHz = try scale(drive, "max_frequency_hz")
        /// Either a unit in Hz per count, or the count that means 100% of max frequency
        /// (DRIVECOM drives: 0x4000 = 100%).
        func unitHz(_ s: TOMLSection, unitKey: String, countsKey: String) throws(FileError) -> Double {
            if s.contains(countsKey) {
                if s.contains(unitKey) { throw s.error(countsKey, "give either \(unitKey) or \(countsKey), not both") }
                let counts = try s.required(countsKey, s.int)
                guard counts > 0, counts <= 0xFFFF else { throw s.error(countsKey, "must be 1...65535, got \(counts)") }
                return maxHz / Double(counts)
            }
            return try scale(s, unitKey)
        }
        var sequence: [SequenceStep] {
            get throws(FileError) {
                var out: [SequenceStep] = []
                for st in try root.sections("start_sequence") {
                    try st.rejectUnknownKeys(["register", "value", "expect", "timeout_ms"])
                    let ms = try st.int("timeout_ms") ?? 1000
                    guard (1...10_000).contains(ms) else { throw st.error("timeout_ms", "must be 1...10000, got \(ms)") }
                    out.append(SequenceStep(register: try st.required("register") { k throws(FileError) in try reg(st, k) },
                                            value: try word(st, "value"), expect: try optionalPattern(st, "expect"), timeout: .milliseconds(ms)))
                }
                return out
            }
        }
        var applyWrite: RegisterWrite? {
            get throws(FileError) {
                guard let a = try root.section("apply") else { return nil }
                try a.rejectUnknownKeys(["register", "value"])
                return RegisterWrite(register: try a.required("register") { k throws(FileError) in try reg(a, k) }, value: try word(a, "value"))
            }
        }
        var identity: [IdentityRegister] {
            get throws(FileError) {
                var out: [IdentityRegister] = []
                for i in try root.sections("identity") {
                    try i.rejectUnknownKeys(["name", "register"])
                    out.append(IdentityRegister(name: try i.required("name", i.string), register: try i.required("register") { k throws(FileError) in try reg(i, k) }))
                }
                return out
            }
        }

        let profile = DriveProfile(
            name: try drive.required("name", drive.string),
            manual: try drive.string("manual") ?? "",
            writeFunction: writeFunction,
            singleRegisterReads: try drive.bool("single_register_reads") ?? false,
            maxFrequencyHz: maxHz,
            commandRegister: try command.required("register") { k throws(FileError) in try reg(command, k) },
            runForward: try word(command, "run_forward"), runReverse: bySign ? try word(command, "run_forward") : try word(command, "run_reverse"), stop: try word(command, "stop"),
            referenceRegister: try reference.required("register") { k throws(FileError) in try reg(reference, k) },
            referenceUnitHz: try unitHz(reference, unitKey: "unit_hz", countsKey: "full_scale_counts"), reverseBySign: bySign,
            stateRegister: try status.required("state_register") { k throws(FileError) in try reg(status, k) },
            running: try pattern(status, "running"), reverse: try pattern(status, "reverse"),
            outputFrequencyRegister: try status.required("output_frequency_register") { k throws(FileError) in try reg(status, k) },
            outputUnitHz: try unitHz(status, unitKey: "output_unit_hz", countsKey: "output_full_scale_counts"),
            outputSigned: try status.bool("output_signed") ?? false,
            zeroSpeed: try optionalPattern(status, "zero_speed"), faultBit: try optionalPattern(status, "fault"),
            faultCodeRegister: faultCodeRegister, faultCodeMask: faultCodeMask, faultCodes: codes,
            faultResetRegister: try reset.required("register") { k throws(FileError) in try reg(reset, k) },
            faultResetValue: try word(reset, "value"),
            faultResetRelease: reset.contains("release_value") ? try word(reset, "release_value") : nil,
            startSequence: try sequence,
            commLoss: try commLoss, commLossTimeout: .fractionalSeconds(timeout), commLossAction: try comm.required("action", comm.string),
            commLossFaultCode: try comm.int("fault_code"),
            accelTimeRegister: try ramps.flatMap { r throws(FileError) in try reg(r, "accel_time_register") },
            decelTimeRegister: try ramps.flatMap { r throws(FileError) in try reg(r, "decel_time_register") },
            rampTimeUnit: try ramps.map { r throws(FileError) in try scale(r, "time_unit_s") } ?? 0.1,
            rampFullScaleHz: try ramps.map { r throws(FileError) in try scale(r, "full_scale_hz") } ?? 60,
            parameters: params, apply: try applyWrite, identity: try identity)
        try profile.checkConsistency(root: root, command: command, status: status)
        return profile
    }

    private func checkConsistency(root: TOMLSection, command: TOMLSection, status: TOMLSection) throws(FileError) {
        // Name the second key of a clashing pair, so the error points at a line, not the table.
        let commands = reverseBySign ? [("run_forward", runForward), ("stop", stop)]
            : [("run_forward", runForward), ("run_reverse", runReverse), ("stop", stop)]
        for (i, (key, value)) in commands.enumerated() {
            if let other = commands[..<i].first(where: { $0.1 == value }) {
                throw command.error(key, "has the same value as \(other.0); run_forward, run_reverse and stop must be three different values")
            }
        }
        if running.matches(0) == true && running.value != 0 {
            throw root.error("status.running", "the running pattern matches an all-zero status word")
        }
        var roles: [UInt16: String] = [:]
        func claim(_ r: UInt16?, _ role: String) throws(FileError) {
            guard let r else { return }
            if let other = roles[r] {
                throw root.error(role, "register \(r) is used both as \(other) and as \(role)")
            }
            roles[r] = role
        }
        try claim(commandRegister, "command.register")
        try claim(referenceRegister, "reference.register")
        switch commLoss {
        case .registers(let r):
            try claim(r.timeoutRegister, "comm_loss.timeout_register")
            try claim(r.actionRegister, "comm_loss.action_register")
        case .field(let f):
            try claim(f.register, "comm_loss.field")
        }
        try claim(accelTimeRegister, "ramps.accel_time_register")
        try claim(decelTimeRegister, "ramps.decel_time_register")
        try claim(apply?.register, "apply.register")
        // Status registers may share a word (state and fault in one register on some drives),
        // but never a register treadd writes to.
        for (r, role) in [(stateRegister, "status.state_register"), (outputFrequencyRegister, "status.output_frequency_register")] {
            if let other = roles[r] { throw root.error(role, "register \(r) is written as \(other) and cannot also be read as \(role)") }
        }
        // A parameter written whole over the packed field would undo it (and clobber the
        // settings that share its register).
        if let f = commLossField, let i = parameters.firstIndex(where: { $0.register == f.register }) {
            throw root.error("parameters[\(i)].register", "register \(f.register) holds comm_loss.field; writing it whole would overwrite the comm-loss setting and the settings that share the register")
        }
        // The fault code must not share bits with a status pattern in the same word: the draft
        // E3 profile would have read its own running bit as a fault code.
        if let r = faultCodeRegister {
            var readers: [(String, BitPattern?)] = [("status.running", running), ("status.reverse", reverse), ("status.zero_speed", zeroSpeed), ("status.fault", faultBit)]
            for (i, step) in startSequence.enumerated() { readers.append(("start_sequence[\(i)].expect", step.expect)) }
            for case let (name, p?) in readers where (p.register ?? stateRegister) == r && p.mask & faultCodeMask != 0 {
                let key = status.contains("fault_code_mask") ? "fault_code_mask" : "fault_code_register"
                throw status.error(key, "bits \(hex(p.mask & faultCodeMask)) of register \(r) would be read both as the fault code and by \(name); give fault_code_mask the bits that hold only the code")
            }
        }
    }
}
