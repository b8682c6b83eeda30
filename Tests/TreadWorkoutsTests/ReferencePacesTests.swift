import Testing
@testable import TreadWorkouts

@Suite struct ReferencePacesTests {
    @Test func pacesAreReadPerKilometreOrPerMile() throws {
        #expect(ReferencePaces.parse("6:00/km") == 360)
        #expect(ReferencePaces.parse("6:00") == 360)
        #expect(ReferencePaces.parse(" 5:05/km ") == 305)
        let perMile = try #require(ReferencePaces.parse("9:39/mi"))
        #expect(abs(perMile - 579 / 1.609344) < 0.01)
        #expect(ReferencePaces.parse("8:00/mile") == ReferencePaces.parse("8:00/mi"))
        for bad in ["6", "6:0/km", "6:75/km", "fast", "-1:00/km", "0:30/km", "90:00/km", ""] {
            #expect(ReferencePaces.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func aGivenPaceIsUsedAsIsAndOthersAreDerivedSlowerForLongerRaces() throws {
        let p = ReferencePaces([.fiveK: 360])
        #expect(p.secondsPerKm(.fiveK) == 360)
        let tenK = try #require(p.secondsPerKm(.tenK))
        let mile = try #require(p.secondsPerKm(.mile))
        let marathon = try #require(p.secondsPerKm(.marathon))
        // Riegel: pace grows with (D2/D1)^0.06; 10k is about 4% slower than 5k.
        #expect(abs(tenK - 360 * pow(2, 0.06)) < 0.001)
        #expect(mile < 360 && 360 < tenK && tenK < marathon)
        #expect(abs(p.speedKmh(.fiveK, share: 1.1)! - 11) < 1e-9)
        #expect(ReferencePaces().secondsPerKm(.fiveK) == nil)
    }

    @Test func theNearestGivenPaceIsTheOneDerivedFrom() throws {
        let p = ReferencePaces([.mile: 300, .marathon: 400])
        #expect(p.secondsPerKm(.halfMarathon)! > 370, "derived from the marathon (384), not the mile (350)")
        #expect(p.secondsPerKm(.fiveK)! < 340, "derived from the mile (321), not the marathon (352)")
    }
}

import Foundation
