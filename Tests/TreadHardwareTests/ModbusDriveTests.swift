import Foundation
import Testing
import TreadTesting
import TreadCore
@testable import TreadHardware

#if canImport(Glibc)
import Glibc
#endif

/// `ModbusDrive` through real libmodbus over TCP on 127.0.0.1, against an in-process
/// `SimulatorServer` with the shipped Delta MS300 profile.
@Suite(.serialized) struct ModbusDriveTests {
    let profile: DriveProfile
    /// 60 Hz = 30 km/h: round numbers for the ramp registers.
    let calibration = BeltCalibration(kmhPerHz: 0.5)

    init() throws {
        profile = try DriveProfile.load(path: PackagePaths.deltaProfile)
    }

    func drive(_ settings: ModbusSettings, acceleration: Double = 3, deceleration: Double = 5) -> ModbusDrive {
        ModbusDrive(profile: profile, settings: settings, calibration: calibration, acceleration: acceleration, deceleration: deceleration)
    }

    /// A reply that comes after the response timeout must not be read as the next request's
    /// (libmodbus would then stay one reply behind, and the link fail poll after poll).
    @Test func aReplyThatComesAfterTheTimeoutIsNeverTakenForTheNextRequest() throws {
        let sim = try SimulatorHarness(profile: profile)
        defer { try? sim.stop() }
        var settings = sim.settings
        settings.responseTimeout = .milliseconds(100)
        let d = drive(settings)
        defer { d.disconnect() }
        try d.connect()
        #expect(try d.readReport().fault == nil)

        #expect(sim.paused { $0.control("late 400") } == "ok")
        #expect(throws: DriveError.self) { _ = try d.readReport() }
        #expect(sim.paused { $0.control("late off") } == "ok")
        #expect(sim.paused { $0.control("trip 16") } == "ok")
        // The late reply has been sent (or dropped with its connection) before the next read.
        #expect(eventually { sim.paused { $0.pendingReplies } == 0 })

        for _ in 0..<3 {
            let report = try d.readReport()
            #expect(report.fault?.code == 16, "a stale reply: \(report)")
        }
    }

    @Test func connectWritesTheSafetyParametersBeforeAnyRunCommand() throws {
        let sim = try SimulatorHarness(profile: profile)
        defer { try? sim.stop() }
        let d = drive(sim.settings)
        defer { d.disconnect() }
        try d.connect()

        sim.paused { server in
            let regs = server.simulator
            #expect(regs.read(address: 0x0903) == 5, "09-03 comm-loss timeout: 0.5 s in 0.1 s units")
            #expect(regs.read(address: 0x0902) == 1, "09-02 warn and ramp to stop")
            // 30 km/h full scale at 3 km/h/s = 10 s, at 5 km/h/s = 6 s, in 0.01 s units.
            #expect(regs.read(address: 0x010C) == 1000)
            #expect(regs.read(address: 0x010D) == 600)
            #expect(regs.read(address: 0x0014) == 1)
            #expect(regs.read(address: 0x0015) == 2)
            #expect(regs.read(address: 0x2000) == 0x0001, "stop command latched")
            #expect(!regs.runCommanded)
            #expect(regs.commLossTimeout == .milliseconds(500))
        }

        try d.command(.run(.forward, .kmh(1)))
        let w = d.writes
        let stop = try #require(w.firstIndex { $0.register == 0x2000 && $0.value == 0x0001 })
        let timeout = try #require(w.firstIndex { $0.register == 0x0903 && $0.value == 5 })
        let action = try #require(w.firstIndex { $0.register == 0x0902 && $0.value == 1 })
        let run = try #require(w.firstIndex { $0.register == 0x2000 && $0.value == 0x0012 })
        let zeroReference = try #require(w.firstIndex { $0.register == 0x2001 })
        let reference = try #require(w.lastIndex { $0.register == 0x2001 })
        #expect(stop == 0, "stop is the first write")
        #expect(zeroReference == 1 && w[zeroReference].value == 0, "then a zero reference, before anything could run")
        #expect(stop < timeout && timeout < action && action < run)
        #expect(reference < run, "reference before run")
        #expect(w[reference].value == 200, "1 km/h = 2 Hz = 200 x 0.01 Hz")
    }

    @Test func runReverseRampsTheBeltUpInReverse() throws {
        let sim = try SimulatorHarness(profile: profile)
        defer { try? sim.stop() }
        let d = drive(sim.settings)
        defer { d.disconnect() }
        try d.connect()
        let idle = try d.readReport()
        #expect(idle.beltSpeed == .zero)
        #expect(!idle.running)
        #expect(idle.fault == nil)

        try d.command(.run(.reverse, .kmh(2)))
        var speeds: [Double] = []
        var last = idle
        let reached = try eventually {
            last = try d.readReport()
            speeds.append(last.beltSpeed.kmh)
            return last.beltSpeed.kmh >= 2 - 1e-6
        }
        #expect(reached, "belt at \(last.beltSpeed), samples \(speeds.count)")
        #expect(last.direction == .reverse)
        #expect(last.running)
        #expect(speeds.count >= 3, "ramps, does not jump (6 Hz/s to 4 Hz takes about 0.7 s)")
        #expect(zip(speeds, speeds.dropFirst()).allSatisfy { $0 <= $1 + 1e-9 }, "rises monotonically")
        #expect(abs(last.beltSpeed.kmh - 2) < 1e-6, "holds the reference: 400 x 0.01 Hz x 0.5 km/h per Hz")

        try d.command(.stop)
        let stopped = try eventually {
            let r = try d.readReport()
            return !r.running && r.beltSpeed == .zero
        }
        #expect(stopped)
    }

    @Test func speedBeyondMaximumFrequencyIsRefusedWithoutWriting() throws {
        let sim = try SimulatorHarness(profile: profile)
        defer { try? sim.stop() }
        let d = drive(sim.settings)
        defer { d.disconnect() }
        try d.connect()
        let before = d.writes.count
        // 31 km/h needs 62 Hz; the drive's maximum is 60 Hz.
        #expect {
            try d.command(.run(.forward, .kmh(31)))
        } throws: { e in
            guard case .outOfRange(let m) = e as? DriveError else { return false }
            return m.contains("60")
        }
        #expect(d.writes.count == before, "no reference and no run command written")
        try d.command(.run(.forward, .kmh(30)))
        #expect(d.writes.count == before + 2, "exactly 60 Hz is allowed")
    }

    /// The profile's scaling would take 6.5 km/h reverse (13 Hz of 60): the drive edge refuses
    /// it anyway, by the hard reverse limit, and puts nothing on the wire.
    @Test func reverseAboveTheHardLimitIsRefusedWithoutWriting() throws {
        let sim = try SimulatorHarness(profile: profile)
        defer { try? sim.stop() }
        let d = drive(sim.settings)
        defer { d.disconnect() }
        try d.connect()
        let before = d.writes.count
        let tooFast = Speed.kmh(HardLimits.maxReverseSpeed.kmh + 0.5)
        #expect(calibration.hz(tooFast) < profile.maxFrequencyHz, "within what the profile would allow")
        #expect {
            try d.command(.run(.reverse, tooFast))
        } throws: { e in
            guard case .outOfRange(let m) = e as? DriveError else { return false }
            return m.contains("hard reverse limit") && m.contains("\(HardLimits.maxReverseSpeed)")
        }
        #expect(d.writes.count == before, "no reference and no run command written")
        sim.paused { #expect(!$0.simulator.runCommanded) }
        try d.command(.run(.reverse, HardLimits.maxReverseSpeed))
        #expect(d.writes.count == before + 2, "exactly the hard limit is allowed")
        try d.command(.run(.forward, tooFast))
        #expect(d.writes.count == before + 4, "forward is not bound by the reverse limit")
    }

    /// `shouldYield` is asked before every transaction: a drive told to yield writes nothing
    /// and says it was interrupted, which is no reason to reconnect.
    @Test func aDriveToldToYieldGivesUpBeforeTheNextTransaction() throws {
        let sim = try SimulatorHarness(profile: profile)
        defer { try? sim.stop() }
        let d = drive(sim.settings)
        defer { d.disconnect() }
        d.shouldYield = { true }
        try d.connect()  // connect never yields: it writes the stop first
        let before = d.writes.count
        #expect(before > 0)
        #expect(throws: DriveError.self) { try d.command(.run(.forward, .kmh(2))) }
        #expect(throws: DriveError.self) { _ = try d.readReport() }
        do {
            try d.resetFault()
            Issue.record("the reset did not yield")
        } catch {
            guard case .interrupted = error else {
                Issue.record("expected .interrupted, got \(error)")
                return
            }
            #expect(!error.needsReconnect)
        }
        #expect(d.writes.count == before)
        d.shouldYield = nil
        #expect(try d.readReport().fault == nil)
    }

    @Test func connectingWhereNothingListensIsAConnectFailure() throws {
        let port = try unusedPort()
        let d = drive(ModbusSettings(transport: .tcp(host: "127.0.0.1", port: port)))
        do {
            try d.connect()
            Issue.record("connected to a port where nothing listens")
        } catch {
            guard case .bus(.connectFailed(let why), let during) = error else {
                Issue.record("expected .bus(.connectFailed), got \(error)")
                return
            }
            #expect(!why.isEmpty)
            #expect(during == "connect")
            #expect(error.needsReconnect)
        }
    }

    @Test func requestsBeforeConnectFailWithoutTouchingTheBus() {
        let d = drive(ModbusSettings(transport: .tcp(host: "127.0.0.1", port: 1)))
        #expect(throws: DriveError.self) { try d.command(.stop) }
        #expect(d.writes.isEmpty)
    }

    @Test func exceptionNames() {
        #expect(ModbusError.exceptionName(2) == "illegal data address")
        #expect(ModbusError.exceptionName(1) == "illegal function")
        #expect(ModbusError.exceptionName(99) == "exception 99")
        #expect(ModbusError.exception(2).description.contains("illegal data address"))
    }

    @Test func readPastTheLastRegisterIsAnIllegalAddressException() throws {
        let sim = try SimulatorHarness(profile: profile)
        defer { try? sim.stop() }
        let c = try ModbusConnection(sim.settings)
        try c.connect()
        defer { c.close() }
        #expect(throws: ModbusError.exception(2)) { try c.readRegisters(0xFFFF, count: 2) }
        #expect(!ModbusError.exception(2).needsReconnect)
        #expect(c.isConnected, "an exception is an answer: the link stays up")
        #expect(try c.readRegisters(0xFFFF, count: 1) == [0])
    }

    // MARK: Optidrive E3: packed comm-loss field, fault code in a high byte, reverse by sign

    func e3Profile() throws -> DriveProfile {
        try DriveProfile.load(path: PackagePaths.root.appendingPathComponent("Config/drives/invertek-e3.toml").path)
    }

    func e3Drive(_ e3: DriveProfile, _ settings: ModbusSettings) -> ModbusDrive {
        ModbusDrive(profile: e3, settings: settings, calibration: calibration, acceleration: 3, deceleration: 5)
    }

    /// P-36 holds the watchdog in bits 12-15 next to the drive's baud rate and address: connect
    /// reads it, changes only the watchdog bits, writes it back and checks the whole word.
    @Test func packedCommLossIsAMaskedReadModifyWrite() throws {
        let e3 = try e3Profile()
        let f = try #require(e3.commLossField)
        let sim = try SimulatorHarness(profile: e3)
        defer { try? sim.stop() }
        // As commissioned on the keypad: t 3000 (4), baud code 0xA, address 0x17.
        let link = try ModbusConnection(sim.settings)
        try link.connect()
        defer { link.close() }
        try link.writeRegister(f.register, 0x4A17, function: .single)

        let d = e3Drive(e3, sim.settings)
        defer { d.disconnect() }
        try d.connect()
        #expect(try link.readRegisters(f.register, count: 1) == [0x2A17], "bits 12-15 = 2 (t 300), baud rate and address as they were")
        #expect(d.writes.filter { $0.register == f.register }.map(\.value) == [0x2A17], "one whole-word write, built from the word read")
        #expect(d.commLossWord == 0x2A17)
        #expect(d.expectedParameters.contains { $0.register == f.register && $0.value == 0x2A17 }, "a probe expects the whole word back")
        let stop = try #require(d.writes.firstIndex { $0.register == e3.commandRegister && $0.value == e3.stop })
        let field = try #require(d.writes.firstIndex { $0.register == f.register })
        #expect(stop < field, "stop first, then the watchdog")
        sim.paused { server in #expect(server.simulator.commLossTimeout == .milliseconds(300)) }

        // Reconnecting with the field already set reads and checks it, and writes nothing there.
        d.disconnect()
        try d.connect()
        #expect(!d.writes.contains { $0.register == f.register })
        #expect(try link.readRegisters(f.register, count: 1) == [0x2A17])
        try d.command(.run(.forward, .kmh(1)))
    }

    /// The E3's error code is the high byte of register 6, whose low byte holds the running
    /// bit: a running drive has no fault, a tripped one shows its code.
    @Test func e3FaultCodeComesFromTheHighByte() throws {
        let e3 = try e3Profile()
        let sim = try SimulatorHarness(profile: e3)
        defer { try? sim.stop() }
        let d = e3Drive(e3, sim.settings)
        defer { d.disconnect() }
        try d.connect()
        try d.command(.run(.reverse, .kmh(1)))
        let reference = try #require(d.writes.last { $0.register == e3.referenceRegister })
        #expect(Int16(bitPattern: reference.value) == -20, "reverse is a negative reference: 1 km/h = 2 Hz = -20 x 0.1 Hz")
        #expect(d.writes.last?.value == e3.runForward, "with the forward run command")
        var report = try d.readReport()
        #expect(try eventually {
            report = try d.readReport()
            return report.running && report.beltSpeed.kmh > 0.5
        })
        #expect(report.fault == nil, "the running bit (bit 0) is not a fault code")
        #expect(report.direction == .reverse)

        sim.paused { server in #expect(server.control("trip 50") == "ok") }
        report = try d.readReport()
        #expect(report.fault?.code == 50)
        #expect(report.fault?.message.contains("comms loss") == true)
        let word = try d.readRegister(e3.stateRegister, "status")
        #expect(word >> 8 == 50 && word & 0x0002 != 0, "code 50 in the high byte, tripped bit 1 in the low byte: \(hex(word))")

        try d.resetFault()
        report = try d.readReport()
        #expect(report.fault == nil)
        #expect(try d.readRegister(e3.stateRegister, "status") >> 8 == 0)
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago and has no listener.
    func unusedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
