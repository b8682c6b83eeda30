import Foundation
import Testing
import TreadTesting
import TreadCore
@testable import TreadHardware

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
        #expect(p.commLossTimeoutRegister == 0x0903)
        #expect(p.commLossActionRegister == 0x0902)
        #expect(p.commLossActionValue == 1)
        #expect(p.commLossTimeout == .milliseconds(500))
        #expect(p.commLossTimeoutCounts == 5, "0.5 s in 0.1 s units")
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
        #expect(p.commLossTimeoutRegister == 0x0903)
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
}
