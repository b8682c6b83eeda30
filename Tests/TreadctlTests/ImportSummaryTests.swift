import Foundation
import Testing
import TreadCore
import TreadWorkouts
@testable import treadctl

/// `programs import`'s own text: where the file goes by default, treadd's problems traced
/// back to .zwo lines, and the summary listing every block not imported.
@Suite struct ImportSummaryTests {
    static let xml = """
        <workout_file>
        <name>Two blocks</name>
        <sportType>run</sportType>
        <workout>
        <SteadyState Duration="120" Power="0.8" pace="1"/>
        <IntervalsT Repeat="2" OnDuration="60" OffDuration="200" OnPower="1.2" OffPower="0.5" pace="1"/>
        <FreeRide Duration="60"/>
        </workout>
        </workout_file>
        """

    func imported(share: Double = 0.1) throws -> ImportedProgram {
        let w = try ZwiftWorkoutFile.read(Data(Self.xml.utf8), file: "two.zwo")
        return try ZwiftImport.program(from: w, file: "two.zwo",
                                       options: ZwiftImport.Options(name: "two", paces: ReferencePaces([.fiveK: 360]), reverseShare: share))
    }

    @Test func theDefaultOutputIsBesideYouNamedAfterTheWorkout() {
        #expect(ImportSummary.defaultOutput(for: "/home/anna/Downloads/Tempo Run.zwo") == "./Tempo-Run.toml")
        #expect(ImportSummary.defaultOutput(for: "intervals.ZWO") == "./intervals.toml")
        #expect(ImportSummary.programName("/etc/treadd/programs/tempo.toml") == "tempo")
    }

    @Test func treaddsProblemsAreNamedByTheZwoBlockAndLine() throws {
        let p = try imported()
        // Segments: 1 steady (line 5), then the repeat block (line 6): effort, backwards, recovery, twice.
        let located = ImportSummary.locate("/tmp/two.toml:14: segment 2: forward speed 12.0 km/h is above the machine's forward limit of 10.0 km/h",
                                           in: p, zwo: "two.zwo")
        #expect(located == "two.zwo:6: <IntervalsT>: forward speed 12.0 km/h is above the machine's forward limit of 10.0 km/h")
        #expect(ImportSummary.locate("/tmp/two.toml:7: segment 1: x", in: p, zwo: "two.zwo") == "two.zwo:5: <SteadyState>: x")
        #expect(ImportSummary.locate("something else entirely", in: p, zwo: "two.zwo") == "something else entirely")
        #expect(ImportSummary.locate("a.toml:1: segment 99: x", in: p, zwo: "two.zwo") == "a.toml:1: segment 99: x")
    }

    @Test func theSummaryGivesLengthBackwardsShareAndEveryBlockLeftOut() throws {
        let text = ImportSummary.render(try imported(), from: "two.zwo", to: "./two.toml", machine: .withinLimits)
        #expect(text.contains("7 segments, 10:40, 6% backwards (0:40)"), "\(text)")
        #expect(text.contains("paces: 5k 6:00/km"))
        #expect(text.contains("within this machine's limits"))
        #expect(text.contains("not imported (1):\n    two.zwo:7: <FreeRide>: not imported: "))
        #expect(text.contains("systemctl reload treadd"))
        let offline = ImportSummary.render(try imported(), from: "two.zwo", to: "./two.toml", machine: .notChecked("treadd is not running"))
        #expect(offline.contains("not checked against this machine's limits (treadd is not running)"))
    }

    @Test func theFileSaysWhereItCameFrom() throws {
        let o = ZwiftImport.Options(name: "two", paces: ReferencePaces([.tenK: 375]), reverseShare: 0.1)
        let c = ImportSummary.comment(try imported(), from: "/x/two.zwo", options: o)
        #expect(c.contains("from two.zwo (Zwift run workout \"Two blocks\")"))
        #expect(c.contains("10% of each recovery backwards"))
    }
}
