import Foundation
import Testing
import TreadTesting
import TreadCore
@testable import TreadHardware

/// The simulator's `garble` fault against treadd's own drive code: every garbled reply must be
/// refused as a typed bus error (never taken for a reading), and nothing reaches the drive.
@Suite(.serialized) struct GarbledReplyTests {
    let profile: DriveProfile

    init() throws {
        profile = try DriveProfile.load(path: PackagePaths.deltaProfile)
    }

    @Test func garbleIsSetAndClearedLikeTheOtherInjections() throws {
        let server = try SimulatorServer(profile: profile, transport: .tcp(host: "127.0.0.1", port: 0))
        #expect(server.control("garble 7") == "ok")
        #expect(server.injections.garbleSeed == 7)
        #expect(server.control("garble off") == "ok")
        #expect(server.injections.garbleSeed == nil)
        #expect(server.control("garble -1").hasPrefix("error:"))
        #expect(server.control("garble").hasPrefix("error:"))
        #expect(server.control("garble 3") == "ok")
        #expect(server.control("clear") == "ok")
        #expect(server.injections == SimulatorInjections())
    }

    @Test(arguments: [UInt64(1), 7, 12345])
    func everyGarbledReplyIsATypedBusErrorAndTheDriveHearsNothing(seed: UInt64) throws {
        let sim = try SimulatorHarness(profile: profile)
        defer { try? sim.stop() }
        var settings = sim.settings
        settings.responseTimeout = .milliseconds(50)
        let d = ModbusDrive(profile: profile, settings: settings, calibration: BeltCalibration(kmhPerHz: 0.5), acceleration: 3, deceleration: 5)
        defer { d.disconnect() }
        try d.connect()
        try d.command(.run(.forward, .kmh(2)))
        #expect(try d.readReport().fault == nil)

        let served = sim.paused { server in
            #expect(server.control("garble \(seed)") == "ok")
            return server.requestsServed
        }
        var kinds: Set<String> = []
        for i in 0..<60 {
            do {
                if i % 4 == 3 { try d.command(.stop) } else { _ = try d.readReport() }
                Issue.record("request \(i) succeeded on a garbled reply")
            } catch {
                guard case .bus(let bus, _) = error else {
                    Issue.record("request \(i): not a bus error: \(error)")
                    continue
                }
                switch bus {
                case .invalidResponse: kinds.insert("invalid")
                case .timeout: kinds.insert("timeout")
                default: Issue.record("request \(i): \(bus) is not how a garbled reply fails")
                }
            }
        }
        #expect(kinds == ["invalid", "timeout"], "both framing errors and truncated replies occur: \(kinds)")
        sim.paused { server in #expect(server.requestsServed == served, "a garbled request was served") }
    }
}
