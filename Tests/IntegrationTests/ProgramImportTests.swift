import Foundation
import Testing

/// `treadctl programs import` against a real treadd (limits: 10 km/h forwards, 4 backwards):
/// the machine's limits decide whether a file is written, and refusals name the .zwo line.
@Suite(.serialized)
struct ProgramImportTests {
    static func fixture(_ name: String) -> String { Binaries.packageRoot + "/Tests/TreadWorkoutsTests/Fixtures/\(name).zwo" }

    @Test func aRunWorkoutWithinTheMachinesLimitsIsWrittenAndValidates() throws {
        let rig = try TestRig()
        let out = rig.dir + "/short-run.toml"
        let r = try rig.ctl("programs", "import", Self.fixture("short-run"), "--pace-5k", "6:00/km", "--reverse-share", "0.1", "-o", out)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("within this machine's limits (checked by treadd)"), "\(r.stdout)")
        #expect(r.stdout.contains("7% backwards"), "\(r.stdout)")
        #expect(r.stdout.contains("short-run.zwo:7: <FreeRide>: not imported"), "every block left out, with its line: \(r.stdout)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("direction = \"reverse\""))

        let validate = try rig.ctl("programs", "validate", out)
        #expect(validate.code == 0 && validate.stdout.contains("within this machine's limits"), "\(validate.stdout)\(validate.stderr)")

        // An existing file is not overwritten without --force.
        try "keep me\n".write(toFile: out, atomically: true, encoding: .utf8)
        let again = try rig.ctl("programs", "import", Self.fixture("short-run"), "--pace-5k", "6:00/km", "-o", out)
        #expect(again.code == 1 && again.stderr.contains("exists"), "\(again.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep me\n")
        let forced = try rig.ctl("programs", "import", Self.fixture("short-run"), "--pace-5k", "6:00/km", "-o", out, "--force")
        #expect(forced.code == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("[[steps]]"))
    }

    @Test func badWorkoutsAreRefusedWithTheirLineAndNothingIsWritten() throws {
        let rig = try TestRig()
        func refused(_ fixture: String, _ expected: String) throws {
            let out = rig.dir + "/\(fixture).toml"
            let r = try rig.ctl("programs", "import", Self.fixture(fixture), "--pace-5k", "6:00/km", "-o", out)
            #expect(r.code == 1, "\(fixture): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains(expected), "\(fixture): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(fixture): nothing written")
        }
        // Within every treadmill's hard limits, but above this machine's 10 km/h: only treadd knows.
        try refused("machine-fast", "machine-fast.zwo:6: <IntervalsT>: forward speed 13.0 km/h is above the machine's forward limit")
        try refused("too-fast", "too-fast.zwo:6: <SteadyState>: forward speed 30.0 km/h")
        try refused("not-xml", "not-xml.zwo:6:")
        try refused("bike", "bike.zwo:3: not a run workout")
        try refused("no-sport", "no-sport.zwo: not a run workout")
    }
}
