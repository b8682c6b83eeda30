import Testing
@testable import TreadCore

@Suite struct SessionRunnerTests {
    let p = program(seg(.forward, 3, 10), seg(.reverse, 2, 20), seg(.forward, 4, 5))

    @Test func creditingTimeWalksTheSegments() {
        var r = SessionRunner(program: p)
        #expect(r.current == p.segments[0])
        #expect(r.next == p.segments[1])

        #expect(r.credit(.seconds(4)) == [])
        #expect(r.index == 0)
        #expect(r.segmentElapsed == .seconds(4))
        #expect(r.remainingInSegment == .seconds(6))
        #expect(r.elapsed == .seconds(4))
        #expect(r.remaining == .seconds(31))

        #expect(r.credit(.seconds(6)) == [1])
        #expect(r.current == p.segments[1])
        #expect(r.next == p.segments[2])
        #expect(r.elapsed == .seconds(10))
        #expect(r.remainingInSegment == .seconds(20))

        #expect(r.credit(.seconds(20)) == [2])
        #expect(r.next == nil)
        #expect(r.remaining == .seconds(5))
    }

    @Test func finishesAfterTheLastSegment() {
        var r = SessionRunner(program: p)
        _ = r.credit(.seconds(10))
        _ = r.credit(.seconds(20))
        #expect(!r.isFinished)
        #expect(r.credit(.seconds(5)) == [])
        #expect(r.isFinished)
        #expect(r.current == nil)
        #expect(r.elapsed == .seconds(35))
        #expect(r.remaining == .zero)
        #expect(r.remainingInSegment == .zero)
        // More time changes nothing.
        #expect(r.credit(.seconds(5)) == [])
        #expect(r.elapsed == .seconds(35))
    }

    @Test func leftoverTimeIsNotCarriedIntoTheNextSegment() {
        var r = SessionRunner(program: p)
        #expect(r.credit(.seconds(14)) == [1])
        #expect(r.segmentElapsed == .zero)
        #expect(r.elapsed == .seconds(10))
    }

    @Test func zeroOrNegativeTimeIsIgnored() {
        var r = SessionRunner(program: p)
        _ = r.credit(.seconds(3))
        #expect(r.credit(.zero) == [])
        #expect(r.credit(.seconds(-2)) == [])
        #expect(r.elapsed == .seconds(3))
    }

    @Test func repeatBlocksAreWalkedInOrder() {
        let a = seg(.reverse, 2, 1), b = seg(.forward, 3, 2)
        var r = SessionRunner(program: Program(name: "r", items: [.segment(seg(.forward, 3, 1)), .repeated(times: 2, segments: [a, b])]))
        var seen = [r.current]
        while !r.isFinished {
            if !r.credit(.milliseconds(250)).isEmpty { seen.append(r.current) }
        }
        #expect(seen == [seg(.forward, 3, 1), a, b, a, b])
        #expect(r.elapsed == .seconds(7))
    }

    @Test func elapsedPlusRemainingIsTheProgramLengthAtEveryTick() {
        var r = SessionRunner(program: p)
        var previous = Duration.zero
        while !r.isFinished {
            _ = r.credit(.milliseconds(40))
            #expect(r.elapsed + r.remaining == p.totalDuration)
            #expect(r.elapsed > previous)
            previous = r.elapsed
        }
        #expect(previous == p.totalDuration)
    }
}
