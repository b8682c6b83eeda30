import Foundation
import Testing
import TreadTesting
import TreadCore
@testable import TreadHardware
import TreadFiles

/// Loading drive profiles: the shipped Delta MS300 file, and profiles that contradict
/// themselves, which must be refused with file, line and key.
@Suite struct DriveProfileTests {
    let path = PackagePaths.deltaProfile
    let shipped: String

    init() throws {
        shipped = try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Parses `text` expecting a located error; returns it.
    func rejection(_ text: String, file: String = "edited.toml") throws -> FileError {
        do {
            let p = try DriveProfile.parse(text, file: file)
            Issue.record("expected the profile to be rejected, got \(p.name)")
            throw MissingInFixture(description: "no error")
        } catch let e as FileError {
            return e
        }
    }

    @Test func shippedDeltaProfileLoads() throws {
        let p = try DriveProfile.load(path: path)
        #expect(p.name == "Delta MS300")
        #expect(p.writeFunction == .single)
        #expect(!p.singleRegisterReads)
        #expect(p.maxFrequencyHz == 60)
        #expect(p.commandRegister == 0x2000)
        #expect(p.runForward == 0x0012)
        #expect(p.runReverse == 0x0022)
        #expect(p.stop == 0x0001)
        #expect(p.referenceRegister == 0x2001)
        #expect(p.referenceUnitHz == 0.01)
        #expect(p.stateRegister == 0x2101)
        #expect(p.running == .init(mask: 0x0003, value: 0x0003))
        #expect(p.reverse == .init(mask: 0x0018, value: 0x0018))
        #expect(p.outputFrequencyRegister == 0x2103)
        #expect(p.faultCodeRegister == 0x2100)
        #expect(p.faultResetRegister == 0x2002)
        #expect(p.faultResetValue == 0x0002)
        #expect(p.commLoss == .registers(.init(timeoutRegister: 0x0903, timeoutUnit: 0.1, timeoutCounts: 5, actionRegister: 0x0902, actionValue: 1)),
                "09-03 0.5 s in 0.1 s units, 09-02 = 1 warn and ramp to stop")
        #expect(p.commLossTimeout == .milliseconds(500))
        #expect(p.faultCodeMask == 0xFFFF, "the whole register unless a mask says otherwise")
        #expect(p.commLossFaultCode == 58)
        #expect(p.accelTimeRegister == 0x010C)
        #expect(p.decelTimeRegister == 0x010D)
        #expect(p.rampTimeUnit == 0.01)
        #expect(p.rampFullScaleHz == 60)
        #expect(p.parameters.map(\.register) == [0x0014, 0x0015])
        #expect(p.parameters.map(\.value) == [1, 2])
        #expect(p.parameters.allSatisfy { $0.verify }, "parameters are verified unless told otherwise")
        #expect(p.faultCodes.count == 16)
        #expect(p.faultMessage(58).hasPrefix("CE10"))
        #expect(p.faultMessage(999).contains("999"))
    }

    @Test func reverseByNegativeReferenceUsesTheForwardRunCommand() throws {
        var t = TOMLText(shipped)
        try t.remove("run_reverse", in: "command")
        _ = try t.set("unit_hz", in: "reference", to: "unit_hz = 0.01\nreverse = \"negative\"")
        let p = try DriveProfile.parse(t.text, file: "edited.toml")
        #expect(p.reverseBySign)
        #expect(p.runReverse == p.runForward)
        #expect(p.stop != p.runForward)
    }

    @Test func reverseByNegativeReferenceRejectsARunReverseValue() throws {
        var t = TOMLText(shipped)
        _ = try t.set("unit_hz", in: "reference", to: "unit_hz = 0.01\nreverse = \"negative\"")
        let e = try rejection(t.text)
        #expect(e.key == "command.run_reverse")
        #expect(e.line == t.line(of: "run_reverse", in: "command"))
    }

    /// 1-based numbering subtracts 1 from the register number: from Int.min that overflowed
    /// and trapped (found by fuzzing, Fuzz/regressions/profile).
    @Test func registerNumberThatOverflowsTheNumberingIsRejected() throws {
        var t = TOMLText(try String(contentsOfFile: PackagePaths.root.appendingPathComponent("Config/drives/abb-acs580.toml").path, encoding: .utf8))
        let line = try t.set("register", in: "reference", to: "register = -9223372036854775808")
        let e = try rejection(t.text)
        #expect(e.key == "reference.register")
        #expect(e.line == line)
    }

    @Test func sameRegisterForTwoRolesIsRejected() throws {
        var t = TOMLText(shipped)
        let line = try t.set("register", in: "reference", to: "register = 0x2000")
        let e = try rejection(t.text)
        #expect(e.file == "edited.toml")
        #expect(e.key == "reference.register")
        #expect(e.line == line)
        #expect(e.message.contains("command.register"))
    }

    @Test func writtenRegisterCannotAlsoBeAStatusRegister() throws {
        var t = TOMLText(shipped)
        let line = try t.set("output_frequency_register", in: "status", to: "output_frequency_register = 0x0903")
        let e = try rejection(t.text)
        #expect(e.key == "status.output_frequency_register")
        #expect(e.line == line)
    }

    @Test func zeroScaleIsRejected() throws {
        var t = TOMLText(shipped)
        let line = try t.set("unit_hz", in: "reference", to: "unit_hz = 0")
        let e = try rejection(t.text)
        #expect(e.key == "reference.unit_hz")
        #expect(e.line == line)
    }

    @Test func missingStopCommandIsRejected() throws {
        var t = TOMLText(shipped)
        try t.remove("stop", in: "command")
        let e = try rejection(t.text)
        #expect(e.key == "command.stop")
        #expect(e.message.contains("missing"))
        // A missing key has no line of its own: the error points at its table.
        #expect(e.line == t.line(ofTable: "command"))
    }

    @Test func runForwardEqualToStopIsRejected() throws {
        var t = TOMLText(shipped)
        try t.set("run_forward", in: "command", to: "run_forward = 0x0001")
        let e = try rejection(t.text)
        #expect(e.key == "command.stop")
        #expect(e.line == t.line(of: "stop", in: "command"))
        #expect(e.message.contains("run_forward"))
    }

    @Test func runReverseEqualToRunForwardIsRejected() throws {
        var t = TOMLText(shipped)
        let line = try t.set("run_reverse", in: "command", to: "run_reverse = 0x0012")
        let e = try rejection(t.text)
        #expect(e.key == "command.run_reverse")
        #expect(e.line == line)
    }

    @Test(arguments: ["timeout_s = 0", "timeout_s = -1", "timeout_s = 5"])
    func commLossTimeoutThatIsOffOrTooLongIsRejected(line text: String) throws {
        var t = TOMLText(shipped)
        let line = try t.set("timeout_s", in: "comm_loss", to: text)
        let e = try rejection(t.text)
        #expect(e.key == "comm_loss.timeout_s")
        #expect(e.line == line)
    }

    @Test func commLossTimeoutRoundingToZeroCountsIsRejected() throws {
        var t = TOMLText(shipped)
        let line = try t.set("timeout_s", in: "comm_loss", to: "timeout_s = 0.04")
        let e = try rejection(t.text)
        #expect(e.key == "comm_loss.timeout_s")
        #expect(e.line == line)
        #expect(e.message.contains("0 counts"))
    }

    @Test func unknownKeyIsRejected() throws {
        var t = TOMLText(shipped)
        let line = try t.set("timeout_s", in: "comm_loss", to: "timout_s = 0.5")
        let e = try rejection(t.text)
        #expect(e.key == "comm_loss.timout_s")
        #expect(e.line == line)
        #expect(e.message.contains("unknown key"))
    }

    @Test func runningPatternOutsideItsMaskIsRejected() throws {
        var t = TOMLText(shipped)
        let line = try t.set("running", in: "status", to: "running = { mask = 0x0003, value = 0x0004 }")
        let e = try rejection(t.text)
        #expect(e.key == "status.running")
        #expect(e.line == line)
    }

    @Test func errorDescriptionIsFileLineKeyMessage() throws {
        var t = TOMLText(shipped)
        let line = try t.set("unit_hz", in: "reference", to: "unit_hz = 0")
        let e = try rejection(t.text, file: "/etc/treadd/drives/x.toml")
        #expect(e.description.hasPrefix("/etc/treadd/drives/x.toml:\(line): reference.unit_hz: "))
    }

    @Test func syntaxErrorNamesTheLine() throws {
        var t = TOMLText(shipped)
        let line = try t.set("unit_hz", in: "reference", to: "unit_hz = = 0.01")
        let e = try rejection(t.text)
        #expect(e.line == line)
        #expect(e.message.contains("not valid TOML"))
    }

    @Test func missingFileNamesThePath() {
        #expect {
            try DriveProfile.load(path: "/nonexistent/drive.toml")
        } throws: { e in
            (e as? FileError)?.file == "/nonexistent/drive.toml"
        }
    }

    /// The shipped file with every register written in the manual's 1-based numbering.
    func oneBased() -> String {
        let registerKeys: Set<String> = [
            "register", "state_register", "output_frequency_register", "fault_code_register",
            "timeout_register", "action_register", "accel_time_register", "decel_time_register",
        ]
        var t = TOMLText(shipped)
        for (i, raw) in t.lines.enumerated() {
            guard let eq = raw.firstIndex(of: "=") else { continue }
            let key = raw[..<eq].trimmingCharacters(in: .whitespaces)
            if key == "register_numbering" { t.lines[i] = "register_numbering = 1"; continue }
            guard registerKeys.contains(key) else { continue }
            let value = raw[raw.index(after: eq)...].prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            let n = value.hasPrefix("0x") ? Int(value.dropFirst(2), radix: 16)! : Int(value)!
            t.lines[i] = "\(key) = \(n + 1)"
        }
        return t.text
    }

    @Test func oneBasedNumberingIsConvertedToProtocolAddresses() throws {
        let text = oneBased()
        #expect(text.contains("register = 8193"), "command register 2000H written 1-based")
        let p = try DriveProfile.parse(text, file: "one-based.toml")
        #expect(p.commandRegister == 0x2000)
        #expect(p.referenceRegister == 0x2001)
        #expect(p.commLossRegisters?.timeoutRegister == 0x0903)
        #expect(p.parameters.first?.register == 0x0014)
        #expect(p == (try DriveProfile.load(path: path)), "the same drive either way")
    }

    @Test func registerZeroIsOutOfRangeWithOneBasedNumbering() throws {
        var t = TOMLText(oneBased())
        let line = try t.set("register", in: "reference", to: "register = 0")
        let e = try rejection(t.text)
        #expect(e.key == "reference.register")
        #expect(e.line == line)
    }

    @Test func registerNumberingOtherThanZeroOrOneIsRejected() throws {
        var t = TOMLText(shipped)
        let line = try t.set("register_numbering", in: "drive", to: "register_numbering = 2")
        let e = try rejection(t.text)
        #expect(e.key == "drive.register_numbering")
        #expect(e.line == line)
    }

    // MARK: Packed comm-loss field

    /// The shipped Delta file with its comm-loss setting as a packed field `field` (an inline
    /// table's text) in place of the time-out and action registers; returns the field's line.
    func packed(_ field: String = "{ register = 0x0920, mask = 0xF000, value = 0x2000 }") throws -> (text: TOMLText, line: Int) {
        var t = TOMLText(shipped)
        for key in ["timeout_unit_s", "action_register", "action_value"] { try t.remove(key, in: "comm_loss") }
        let line = try t.set("timeout_register", in: "comm_loss", to: "field = \(field)")
        return (t, line)
    }

    @Test func packedCommLossFieldLoads() throws {
        let p = try DriveProfile.parse(try packed().text.text, file: "edited.toml")
        #expect(p.commLoss == .field(.init(register: 0x0920, mask: 0xF000, value: 0x2000)))
        #expect(p.commLossRegisters == nil)
        #expect(p.commLossTimeout == .milliseconds(500), "timeout_s says what the field value means")
        let f = try #require(p.commLossField)
        #expect(f.applied(to: 0x4A17) == 0x2A17, "only the masked bits change")
        #expect(f.holds(in: 0x2A17) && !f.holds(in: 0x4A17))
    }

    @Test(arguments: [
        ("{ register = 0x0920, mask = 0x0000, value = 0x0000 }", "comm_loss.field.mask", "must not be 0"),
        ("{ register = 0x0920, mask = 0xF000, value = 0x2001 }", "comm_loss.field.value", "outside the mask"),
        ("{ register = 0x0920, mask = 0xF000 }", "comm_loss.field.value", "missing"),
        ("{ mask = 0xF000, value = 0x2000 }", "comm_loss.field.register", "missing"),
        ("{ register = 0x0920, mask = 0xF000, value = 0x2000, shift = 12 }", "comm_loss.field.shift", "unknown key"),
        ("{ register = 0x2000, mask = 0xF000, value = 0x2000 }", "comm_loss.field", "command.register"),
        ("{ register = 0x2101, mask = 0xF000, value = 0x2000 }", "status.state_register", "comm_loss.field"),
    ])
    func badPackedFieldIsRejectedNamingFileAndKey(field: String, key: String, message: String) throws {
        let (t, line) = try packed(field)
        let e = try rejection(t.text, file: "/etc/treadd/drives/e3.toml")
        #expect(e.file == "/etc/treadd/drives/e3.toml")
        #expect(e.key == key)
        #expect(e.message.contains(message), "\(e.message)")
        if key.hasPrefix("comm_loss.field") { #expect(e.line == line, "keys inside the inline table point at its line") }
    }

    @Test func packedFieldWithATimeoutRegisterTooIsRejected() throws {
        var (t, _) = try packed()
        _ = try t.set("timeout_s", in: "comm_loss", to: "timeout_s = 0.5\naction_register = 0x0902")
        let e = try rejection(t.text)
        #expect(e.key == "comm_loss.action_register")
        #expect(e.message.contains("not both"))
    }

    @Test func parameterWrittenOverThePackedFieldIsRejected() throws {
        let (t, _) = try packed("{ register = 0x0014, mask = 0xF000, value = 0x2000 }")
        let e = try rejection(t.text)
        #expect(e.key == "parameters[0].register", "the parameter written to 0x0014 would overwrite the field")
        #expect(e.line == t.line(of: "register", in: "parameters"))
        #expect(e.message.contains("comm_loss.field"))
    }

    // MARK: Fault code in part of a register

    @Test func faultCodeMaskReadsTheHighByte() throws {
        var t = TOMLText(shipped)
        try t.set("fault_code_register", in: "status", to: "fault_code_register = 0x2101\nfault_code_mask = 0xFF00")
        let p = try DriveProfile.parse(t.text, file: "edited.toml")
        #expect(p.faultCodeRegister == 0x2101)
        #expect(p.faultCodeMask == 0xFF00)
        #expect(p.faultCode(in: 0x3A03) == 0x3A)
        #expect(p.faultCode(in: 0x00FF) == 0, "status bits in the low byte are not a code")
        #expect(p.statusRegisters.filter { $0 == 0x2101 }.count == 1, "read once per poll")
    }

    @Test(arguments: [
        ("fault_code_register = 0x2100\nfault_code_mask = 0x0000", "must be one run"),
        ("fault_code_register = 0x2100\nfault_code_mask = 0xF0F0", "must be one run"),
        ("fault_code_mask = 0xFF00", "needs fault_code_register"),
        ("fault_code_register = 0x2101\nfault_code_mask = 0x00FF", "status.running"),
        ("fault_code_register = 0x2101", "status.running"),
    ])
    func badFaultCodeMaskIsRejected(replacement: String, message: String) throws {
        var t = TOMLText(shipped)
        try t.set("fault_code_register", in: "status", to: replacement)
        t = TOMLText(t.text)  // one line per line again, so line(of:) counts right
        let e = try rejection(t.text)
        let key = replacement.contains("fault_code_mask") ? "status.fault_code_mask" : "status.fault_code_register"
        #expect(e.key == key)
        #expect(e.line == t.line(of: String(key.dropFirst("status.".count)), in: "status"))
        #expect(e.message.contains(message), "\(e.message)")
    }
}
