import Testing
@testable import TreadCore

/// The drive link's rules on their own, fed submissions, transaction results and time: no
/// run outlives its setpoint's lifetime, its status reads or an outage, and a stop is always
/// written, once more even when stop already stands.
@Suite struct LinkPolicyTests {
    static let run = DriveSetpoint.run(.reverse, .kmh(3))

    func policy() -> LinkPolicy {
        LinkPolicy(setpointLifetime: .milliseconds(300), missedPolls: 3, feedbackBound: .milliseconds(500))
    }

    /// A link that has just read the drive at `t`.
    func polled(_ t: Instant = .seconds(10)) -> LinkPolicy {
        var p = policy()
        p.readCompleted(at: t)
        return p
    }

    @Test func aRenewedRunWithFreshReadsIsWrittenOnceAndRewrittenEverySecond() throws {
        var p = polled()
        p.submit(Self.run, at: .seconds(10))
        let write1 = p.next(at: .seconds(10))
        let w = try #require(write1)
        #expect(w.setpoint == Self.run)
        p.wrote(w, at: .seconds(10))
        // Renewed each tick with fresh reads: nothing new to write until the rewrite is due.
        var t = 10.0
        while t < 10.9 {
            t += 0.04
            p.readCompleted(at: .seconds(t))
            p.submit(Self.run, at: .seconds(t))
            let write2 = p.next(at: .seconds(t))
            #expect(write2 == nil, "at \(t)")
        }
        let write3 = p.next(at: .seconds(11.05))
        #expect(write3 == w, "the unchanged setpoint is written again after a second")
        let outage1 = p.takeOutage()
        #expect(outage1 == nil)
    }

    @Test func aRunNotRenewedWithinItsLifetimeBecomesAStopAndStaysRefused() throws {
        var p = polled()
        p.submit(Self.run, at: .seconds(10))
        let write4 = p.next(at: .seconds(10))
        p.wrote(try #require(write4), at: .seconds(10))
        p.readCompleted(at: .seconds(10.3))
        let write5 = p.next(at: .seconds(10.3))
        #expect(write5 == nil, "still within the lifetime")
        let write6 = p.next(at: .seconds(10.31))
        let w = try #require(write6)
        #expect(w.setpoint == .stop)
        let outage2 = p.takeOutage()
        let outage = try #require(outage2)
        #expect(outage.reason == .setpointExpired(lifetime: p.setpointLifetime), "the loop stalled, not the drive")
        #expect(Fault(outage.reason).code == "control_stalled")
        #expect(!Fault(outage.reason).description.contains("not answering"))
        #expect(outage.at == .seconds(10.31))
        let outage3 = p.takeOutage()
        #expect(outage3 == nil, "reported once")
        p.wrote(w, at: .seconds(10.31))
        // The loop comes back with a run: still refused, until it submits a stop itself.
        p.readCompleted(at: .seconds(10.4))
        p.submit(Self.run, at: .seconds(10.4))
        let write7 = p.next(at: .seconds(10.4))
        #expect(write7 == nil, "the stop written in its place stands")
        p.submit(.stop, at: .seconds(10.44))
        let write8 = p.next(at: .seconds(10.44))
        let stop = try #require(write8)
        #expect(stop.setpoint == .stop)
        p.wrote(stop, at: .seconds(10.44))
        p.submit(Self.run, at: .seconds(10.48))
        let write9 = p.next(at: .seconds(10.48))
        #expect(write9?.setpoint == Self.run, "after the loop's own stop a run goes out again")
    }

    @Test func noRunIsWrittenWithoutARecentStatusRead() throws {
        var never = policy()
        never.submit(Self.run, at: .seconds(10))
        let write1 = never.next(at: .seconds(10))
        #expect(write1 == LinkPolicy.Write(setpoint: .stop, serial: nil, refusal: .noRecentRead), "never read: a run is refused")
        never.wrote(try #require(write1), at: .seconds(10))
        never.readCompleted(at: .seconds(10.02))
        let write2 = never.next(at: .seconds(10.02))
        #expect(write2?.setpoint == Self.run, "the run waits for a read, not for a stop")

        var p = polled(.seconds(10))
        p.submit(Self.run, at: .seconds(10.5))
        let write3 = p.next(at: .seconds(10.5))
        #expect(write3?.setpoint == Self.run, "a read at the bound is recent enough")
        p.submit(Self.run, at: .seconds(10.51))
        let write4 = p.next(at: .seconds(10.51))
        #expect(write4?.setpoint == .stop, "older than the bound: refused")
        #expect(write4?.refusal == .noRecentRead)
        let outage1 = p.takeOutage()
        #expect(outage1 == nil, "the core latches the staleness from the reading's own age")
    }

    @Test func missedPollsBelowTheLimitKeepTheLinkUpAndAReadForgivesThem() {
        var p = polled()
        let down1 = p.transactionFailed("timeout", needsReconnect: false, at: .seconds(10.1))
        #expect(!down1)
        let down2 = p.transactionFailed("timeout", needsReconnect: false, at: .seconds(10.2))
        #expect(!down2)
        p.readCompleted(at: .seconds(10.3))
        let down3 = p.transactionFailed("timeout", needsReconnect: false, at: .seconds(10.4))
        #expect(!down3)
        let down4 = p.transactionFailed("timeout", needsReconnect: false, at: .seconds(10.5))
        #expect(!down4)
        let outage5 = p.takeOutage()
        #expect(outage5 == nil)
        let down5 = p.transactionFailed("timeout", needsReconnect: false, at: .seconds(10.6))
        #expect(down5, "the third in a row")
        let outage6 = p.takeOutage()
        #expect(outage6 == LinkPolicy.Outage(reason: .notAnswering("timeout"), at: .seconds(10.6)))
        #expect(p.inhibited)
    }

    @Test func aTransportErrorTakesTheLinkDownAtOnceAndRefusesTheRun() throws {
        var p = polled()
        p.submit(Self.run, at: .seconds(10))
        let write13 = p.next(at: .seconds(10))
        p.wrote(try #require(write13), at: .seconds(10))
        let down6 = p.transactionFailed("broken pipe", needsReconnect: true, at: .seconds(10.05))
        #expect(down6)
        p.connected()
        p.readCompleted(at: .seconds(10.1))
        p.submit(Self.run, at: .seconds(10.1))
        let write14 = p.next(at: .seconds(10.1))
        #expect(write14?.setpoint == .stop, "reconnected, but the run waits for the loop's stop")
        let outage7 = p.takeOutage()
        #expect(outage7?.reason == .notAnswering("broken pipe"))
    }

    @Test func aFailedConnectIsAnOutage() {
        var p = policy()
        p.connectFailed("connection refused", at: .seconds(3))
        let outage8 = p.takeOutage()
        #expect(outage8 == LinkPolicy.Outage(reason: .cannotConnect("connection refused"), at: .seconds(3)))
        #expect(p.inhibited)
    }

    @Test func aPriorityStopIsWrittenAgainWhenStopAlreadyStands() throws {
        var p = polled()
        p.submit(.stop, at: .seconds(10))
        let write15 = p.next(at: .seconds(10))
        p.wrote(try #require(write15), at: .seconds(10))
        let write16 = p.next(at: .seconds(10.1))
        #expect(write16 == nil)
        p.stopNow(at: .seconds(10.1))
        let write17 = p.next(at: .seconds(10.1))
        #expect(write17?.setpoint == .stop)
    }

    @Test func onlyAStopInterruptsAStep() {
        var p = polled()
        p.submit(Self.run, at: .seconds(10))
        let step = p.serial
        #expect(!p.stopWaiting(since: step))
        p.submit(.run(.reverse, .kmh(3.2)), at: .seconds(10.04))
        #expect(!p.stopWaiting(since: step), "a ramp's new speed lets the read finish")
        p.submit(.stop, at: .seconds(10.08))
        #expect(p.stopWaiting(since: step))
        #expect(!p.stopWaiting(since: p.serial), "the step that writes the stop is not interrupted by it")
        p.stopNow(at: .seconds(10.1))
        #expect(p.stopWaiting(since: step))
    }

    @Test func aFaultResetIsAskedOnceAndOurCommandIsWrittenAgainAfterIt() throws {
        var p = polled()
        p.submit(.stop, resetFault: true, at: .seconds(10))
        #expect(p.resetRequested)
        let write18 = p.next(at: .seconds(10))
        p.wrote(try #require(write18), at: .seconds(10))
        p.resetDone()
        #expect(!p.resetRequested)
        let write19 = p.next(at: .seconds(10.05))
        #expect(write19?.setpoint == .stop, "the reset may have changed the command word")
    }
}
