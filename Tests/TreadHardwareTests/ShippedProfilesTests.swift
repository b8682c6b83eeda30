import Foundation
import Testing
import TreadCore
@testable import TreadHardware

/// Every drive profile shipped in Config/drives loads, and keeps the safety properties treadd
/// relies on: the drive's own comm-loss stop is on and short, the comm-loss action really stops
/// the motor, the three command values differ, drives that refuse FC06 write with FC16, and
/// DRIVECOM drives are enabled by a start sequence.
@Suite struct ShippedProfilesTests {
    /// Config/drives, found from this file's location (Tests/TreadHardwareTests/...).
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.appendingPathComponent("Config/drives")
            }
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    /// Every .toml file in Config/drives (drafts are named .toml.draft and are not shipped).
    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".toml") }.sorted()
    }()

    /// Comm-loss action values that leave the motor running, per drive (by profile name): values
    /// of the action register, or of the packed field for a drive that packs time-out and action
    /// into one field. A profile must never write one of these: the drive's comm-loss stop is the
    /// last line of defence if treadd dies. Every shipped profile needs an entry here.
    ///
    /// - Delta MS300 09-02: 0 warn and keep running, 3 keep running silently.
    /// - Yaskawa V1000 H5-04: 3 alarm only, keep running.
    /// - Schneider ATV320 SLL: 0 ignore, 3 fallback speed, 4 speed maintained.
    /// - ABB ACS580 58.14: 0 no action, 2 last speed, 3 speed ref safe, 5 warning.
    /// - Siemens V20 watchdog action: 0 no action (the other values are not confirmed).
    /// - Invertek Optidrive E3 P-36 index 3 (bits 12-15): 0 comms-loss trip disabled.
    /// - The template: 0, by convention for "no action".
    static let keepRunningActions: [String: Set<UInt16>] = [
        "Delta MS300": [0, 3],
        "Yaskawa V1000": [3],
        "Schneider Altivar ATV320": [0, 3, 4],
        "ABB ACS580": [0, 2, 3, 5],
        "Siemens SINAMICS V20": [0],
        "Invertek Optidrive E3": [0x0000],
        "Example Drive": [0],
    ]

    /// Drives that answer FC06 with an exception.
    static let needsFC16: Set<String> = ["Yaskawa V1000"]

    /// DRIVECOM / PROFIdrive-style drives that will not run without an enable sequence.
    static let drivecom: Set<String> = ["Schneider Altivar ATV320", "ABB ACS580", "Siemens SINAMICS V20"]

    func load(_ file: String) throws -> DriveProfile {
        try DriveProfile.load(path: Self.directory.appendingPathComponent(file).path)
    }

    @Test func theShippedProfilesAreAllThere() {
        let expected = ["abb-acs580.toml", "delta-ms300.toml", "invertek-e3.toml", "schneider-atv320.toml", "siemens-v20.toml", "template.toml", "yaskawa-v1000.toml"]
        for name in expected { #expect(Self.files.contains(name), "missing Config/drives/\(name)") }
    }

    @Test(arguments: files) func loads(_ file: String) throws {
        let p = try load(file)
        #expect(!p.name.isEmpty)
        #expect(!p.manual.isEmpty, "\(file) must say which manual it was written from")
    }

    @Test(arguments: files) func commLossTimeoutIsShortAndOn(_ file: String) throws {
        let p = try load(file)
        let seconds = p.commLossTimeout.inSeconds
        #expect(seconds >= 0.1 && seconds <= 2, "\(file): comm-loss timeout \(seconds) s")
        switch p.commLoss {
        case .registers(let r):
            #expect(r.timeoutCounts > 0, "\(file): the timeout must not round to off")
        case .field(let f):
            #expect(f.value != 0, "\(file): a packed comm-loss field of 0 is off on every drive shipped so far")
        }
    }

    @Test(arguments: files) func commandValuesDiffer(_ file: String) throws {
        let p = try load(file)
        if p.reverseBySign {
            // Reverse is the forward run command with a negative reference; only stop must differ.
            #expect(p.runReverse == p.runForward && p.stop != p.runForward, "\(file): run and stop must differ")
        } else {
            #expect(Set([p.runForward, p.runReverse, p.stop]).count == 3, "\(file): run_forward, run_reverse and stop must differ")
        }
    }

    @Test(arguments: files) func commLossActionStopsTheMotor(_ file: String) throws {
        let p = try load(file)
        let forbidden = try #require(Self.keepRunningActions[p.name], "\(file): add \(p.name) to keepRunningActions with its keep-running values")
        let action = switch p.commLoss {
        case .registers(let r): r.actionValue
        case .field(let f): f.value >> UInt16(f.mask.trailingZeroBitCount)
        }
        #expect(!forbidden.contains(action), "\(file): comm-loss action \(action) keeps the motor running")
    }

    @Test(arguments: files) func writeFunctionSuitsTheDrive(_ file: String) throws {
        let p = try load(file)
        if Self.needsFC16.contains(p.name) { #expect(p.writeFunction == .multiple, "\(file): this drive refuses FC06") }
    }

    @Test(arguments: files) func drivecomDrivesHaveAStartSequence(_ file: String) throws {
        let p = try load(file)
        guard Self.drivecom.contains(p.name) else { return }
        #expect(!p.startSequence.isEmpty, "\(file): a DRIVECOM drive needs its enable sequence")
        for step in p.startSequence {
            #expect(step.expect != nil, "\(file): every enable step waits for a status")
            #expect(step.value != p.runForward && step.value != p.runReverse, "\(file): the start sequence must not run the motor")
        }
    }

    @Test func yaskawaAppliesInRAMAndVerifiesAfterIt() throws {
        let p = try load("yaskawa-v1000.toml")
        #expect(p.apply == .init(register: 0x0910, value: 0), "0910H: RAM only, no EEPROM wear")
        #expect(p.faultResetRelease == 0)
        #expect(p.zeroSpeed?.register == 0x002C)
    }

    @Test func schneiderSequenceIsSixSevenFifteenAndNeverRunsOnAStaleReference() throws {
        let p = try load("schneider-atv320.toml")
        #expect(p.startSequence.map(\.value) == [0x0006, 0x0007, 0x010F])
        #expect(p.startSequence.compactMap(\.expect?.value) == [0x0021, 0x0023, 0x0027])
        #expect(p.startSequence.allSatisfy { $0.expect?.mask == 0x006F })
        #expect(p.faultResetValue == 0x0080 && p.faultResetRelease == 0)
        #expect(p.outputSigned)
        #expect(p.referenceUnitHz == 0.1)
    }

    /// The ABB manual numbers registers from 400001 = 1; the profile says so and is converted once.
    @Test func oneBasedRegistersConvertToProtocolAddresses() throws {
        let p = try load("abb-acs580.toml")
        #expect(p.commandRegister == 0, "400001 control word is protocol address 0")
        #expect(p.referenceRegister == 1)
        #expect(p.stateRegister == 3)
        #expect(p.outputFrequencyRegister == 4)
        #expect(p.reverse.register == 4, "bit patterns naming a register are converted too")
        #expect(p.faultCodeRegister == 400)
        #expect(p.faultResetRegister == 0)
        #expect(p.startSequence.map(\.register) == [0])
        #expect(p.commLossRegisters?.timeoutRegister == 5815, "58.16 is register 405816")
        #expect(p.commLossRegisters?.actionRegister == 5813)
        #expect(p.accelTimeRegister == 2871)
        #expect(p.parameters.map(\.register) == [2000, 2810, 5824])
        #expect(p.referenceUnitHz == p.maxFrequencyHz / 20000)

        let v20 = try load("siemens-v20.toml")
        #expect(v20.commandRegister == 99, "40100 is frame address 99 (0x0063)")
        #expect(v20.referenceRegister == 100)
        #expect(v20.stateRegister == 109)
        #expect(v20.outputFrequencyRegister == 110)
        #expect(v20.referenceUnitHz == v20.maxFrequencyHz / 16384)
    }

    /// The same file read as 0-based lands every register one higher: the numbering is applied
    /// to every register key and to nothing else.
    @Test func numberingShiftsEveryRegisterAndNoValue() throws {
        let path = Self.directory.appendingPathComponent("abb-acs580.toml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let zeroBased = text.replacingOccurrences(of: "register_numbering = 1", with: "register_numbering = 0")
        #expect(zeroBased != text)
        let one = try DriveProfile.parse(text, file: path)
        let zero = try DriveProfile.parse(zeroBased, file: path)
        #expect(zero.commandRegister == one.commandRegister + 1)
        #expect(zero.stateRegister == one.stateRegister + 1)
        #expect(zero.reverse.register == one.reverse.register.map { $0 + 1 })
        #expect(zero.commLossRegisters?.timeoutRegister == one.commLossRegisters.map { $0.timeoutRegister + 1 })
        #expect(zero.startSequence.map(\.register) == one.startSequence.map { $0.register + 1 })
        #expect(zero.runForward == one.runForward && zero.stop == one.stop, "values are not registers")
        #expect(zero.commLossRegisters?.actionValue == one.commLossRegisters?.actionValue)
        #expect(zero.parameters.map(\.value) == one.parameters.map(\.value))
    }

    /// The Optidrive E3: comm-loss watchdog in bits 12-15 of P-36 (register 164, shared with
    /// the drive's address and baud rate), the fault code in the high byte of register 6 next to
    /// the status bits, reverse by the sign of the reference.
    @Test func optidriveE3PacksItsWatchdogIntoP36() throws {
        let p = try load("invertek-e3.toml")
        #expect(p.commLossField == .init(register: 163, mask: 0xF000, value: 0x2000), "P-36 is register 128 + 36, 1-based; 2 = t 300")
        #expect(p.commLossRegisters == nil)
        #expect(p.commLossWrittenRegisters == [163])
        #expect(p.commLossTimeout == .milliseconds(300))
        #expect(p.commLossFaultCode == 50)
        #expect(p.parameters.allSatisfy { $0.register != 163 }, "P-36 is never written whole")
        #expect(p.reverseBySign)
        #expect(p.referenceUnitHz == 0.1 && p.outputUnitHz == 0.1)
        #expect(p.stateRegister == 5 && p.outputFrequencyRegister == 6)

        // Tripped on a comm loss: error code 50 (0x32) in the high byte, tripped bit 1 set.
        #expect(p.faultCodeRegister == 5 && p.faultCodeMask == 0xFF00)
        #expect(p.faultCode(in: 0x3202) == 50)
        #expect(p.faultBit?.matches(0x3202) == true)
        #expect(p.faultMessage(p.faultCode(in: 0x3202)).contains("comms loss"))
        // Running and healthy: the running bit is not a fault code.
        #expect(p.faultCode(in: 0x0041) == 0)
        #expect(p.running.matches(0x0041))
    }

    /// The E3 read as 0-based: the register inside the packed field moves with every other
    /// register; its mask and value, like every value, do not.
    @Test func packedFieldRegisterFollowsTheNumbering() throws {
        let path = Self.directory.appendingPathComponent("invertek-e3.toml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let zeroBased = text.replacingOccurrences(of: "register_numbering = 1", with: "register_numbering = 0")
        #expect(zeroBased != text)
        let one = try DriveProfile.parse(text, file: path)
        let zero = try DriveProfile.parse(zeroBased, file: path)
        let f1 = try #require(one.commLossField), f0 = try #require(zero.commLossField)
        #expect(f0.register == f1.register + 1)
        #expect(f0.mask == f1.mask && f0.value == f1.value)
        #expect(zero.faultCodeRegister == one.faultCodeRegister.map { $0 + 1 })
        #expect(zero.faultCodeMask == one.faultCodeMask)
    }
}
