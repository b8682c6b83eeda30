import Foundation
import Testing
import TreadCore
@testable import TreadWorkouts

/// Files that must not become a program: each refusal names the file and, where there is one,
/// the line to look at.
@Suite struct BadWorkoutTests {
    func importing(_ name: String) throws -> ImportedProgram {
        try ZwiftImport.program(from: try Fixture.read(name), file: name + ".zwo", options: Fixture.options())
    }

    @Test func aBikeWorkoutIsRefusedAtItsSportType() {
        #expect(throws: ZwiftImportError.notARunWorkout(file: "bike.zwo", line: 3, sport: "bike")) { _ = try importing("bike") }
    }

    @Test func aWorkoutWithoutASportIsABikeWorkoutAsInZwift() {
        #expect(throws: ZwiftImportError.notARunWorkout(file: "no-sport.zwo", line: nil, sport: nil)) { _ = try importing("no-sport") }
    }

    @Test func aBlockBeyondEveryTreadmillsLimitIsRefusedWithItsLine() {
        #expect {
            _ = try importing("too-fast")
        } throws: { error in
            guard case ZwiftImportError.beyondLimits(let file, let problems) = error else { return false }
            return file == "too-fast.zwo" && problems.map(\.line) == [6] && problems[0].block == "SteadyState"
                && problems[0].message.contains("30.0 km/h") && "\(error)".contains("too-fast.zwo:6: <SteadyState>")
        }
    }

    @Test func aWorkoutWithNothingToRunIsRefusedListingWhy() {
        #expect {
            _ = try ZwiftImport.program(from: try Fixture.workout(#"<FreeRide Duration="600"/>"#), file: "t.zwo", options: Fixture.options())
        } throws: { error in
            guard case ZwiftImportError.nothingMapped(_, let notes) = error else { return false }
            return notes.map(\.line) == [6]
        }
        #expect(throws: ZwiftImportError.noBlocks(file: "t.zwo", line: 5)) {
            _ = try ZwiftImport.program(from: try Fixture.workout(""), file: "t.zwo", options: Fixture.options())
        }
    }

    @Test func absurdNumbersAreNotImportedRatherThanTrapping() throws {
        let w = try Fixture.workout("""
            <SteadyState Duration="1e300" Power="1" pace="1"/>
            <Ramp Duration="1e300" PowerLow="0.5" PowerHigh="1" pace="1"/>
            <IntervalsT Repeat="1e300" OnDuration="60" OffDuration="60" OnPower="1" OffPower="0.5" pace="1"/>
            <SteadyState Duration="nan" Power="1" pace="1"/>
            <SteadyState Duration="60" Power="0.8" pace="1"><textevent timeoffset="1e300" message="late"/></SteadyState>
            """)
        let p = try ZwiftImport.program(from: w, file: "t.zwo", options: Fixture.options())
        #expect(p.program.segments.count == 1)
        #expect(p.notes.filter { $0.kind == .unmapped }.map(\.line) == [6, 7, 8, 9])
    }
}
