import Foundation
import Testing
@testable import TreadWorkouts

/// Reading .zwo files: the blocks in order with the line of each, and bad files refused with
/// the place that is wrong.
@Suite struct ZwiftWorkoutFileTests {
    @Test func blocksComeInOrderWithTheirLines() throws {
        let w = try Fixture.read("intervals-run")
        #expect(w.name == "Run intervals with a free stretch")
        #expect(w.sport == "run" && w.sportLine == 5)
        #expect(w.blocks.map(\.name) == ["Warmup", "SteadyState", "IntervalsT", "FreeRide", "SteadyState", "SteadyState",
                                         "SteadyState", "MaxEffort", "Cooldown"])
        #expect(w.blocks.map(\.line) == [8, 9, 12, 13, 14, 15, 16, 17, 18])
        #expect(w.blocks[1].textEvents.map(\.message) == ["Settle in"])
        #expect(w.blocks[1].textEvents.first?.line == 10)
        #expect(w.blocks[2].number("onpower") == 1.1, "attributes are matched without regard to case")
    }

    @Test func malformedXMLIsRefusedWhereTheParserStopped() {
        #expect {
            _ = try Fixture.read("not-xml")
        } throws: { error in
            guard case ZwiftImportError.notXML(let file, let line, _) = error else { return false }
            // The unclosed tag on line 5 is noticed at the next tag, on line 6.
            return file == "not-xml.zwo" && (5...6).contains(line)
        }
        #expect(throws: ZwiftImportError.self) { _ = try ZwiftWorkoutFile.read(Data("plain text, no markup".utf8), file: "x.zwo") }
        #expect(throws: ZwiftImportError.self) { _ = try ZwiftWorkoutFile.read(Data(), file: "x.zwo") }
    }

    @Test func anotherRootIsNotAWorkout() {
        #expect(throws: ZwiftImportError.notAWorkoutFile(file: "t.zwo", root: "html")) {
            _ = try ZwiftWorkoutFile.read(Data("<html><body/></html>".utf8), file: "t.zwo")
        }
    }

    @Test func distanceWorkoutsAreMarked() throws {
        #expect(try Fixture.read("distance").distanceBased)
        #expect(try Fixture.read("intervals-run").distanceBased == false)
    }
}
