/// Requests from the socket. Each either takes effect at once (its events published with the
/// next step) or is refused with a reason; none can bypass the limits or the interlock.
extension Treadmill {
    /// Starts `program`; with a `member`, the session's energy is estimated from their body mass.
    mutating func start(_ program: Program, member: Member? = nil, at now: Instant) throws(RequestError) {
        if let fault { throw .faulted(fault) }
        guard case .idle(let after) = mode else { throw .busy(state) }
        if let hard = Interlock.hardStop(inputs) { throw .unsafeInputs(hard) }
        switch drive {
        case .connecting: throw .driveNotReady("not connected yet")
        case .offline(let outage): throw .driveNotReady(outage.description)
        case .online(let report):
            if let stale = staleness(at: now) { throw .driveNotReady(stale.description) }
            if let trip = report.fault { throw .driveNotReady("the drive reports fault \(trip.code): \(trip.message)") }
        }
        if let until = after.coastingUntil, now < until {
            throw .driveNotReady("the belt may still be coasting after the fault; wait \(Int((until - now).inSeconds.rounded(.up))) s")
        }
        let violations = program.violations(against: limits)
        guard violations.isEmpty else { throw .programRejected(violations) }
        mode = .running(SessionRunner(program: program), waitingForRails: false)
        self.member = member
        tally = SessionTally(massKnown: member?.bodyMassKg != nil)
        pending.append(contentsOf: [.sessionStarted(program: program.name), .segmentStarted(index: 0, segment: program.segments[0])])
    }

    /// A controlled (category 1) stop that ends the session.
    mutating func stop() throws(RequestError) {
        switch mode {
        case .running(let s, _), .paused(let s, _):
            mode = .stopping(s)
            pending.append(contentsOf: [.sessionStopped])
        case .stopping: break
        case .idle, .fault: throw .notActive
        }
    }

    mutating func pause() throws(RequestError) {
        guard case .running(let s, _) = mode else { throw state == .paused ? .alreadyPaused : .notActive }
        mode = .paused(s, .request)
        pending.append(contentsOf: [.paused(.request)])
    }

    /// Continues a paused session. A reverse segment needs the rails held now, not later.
    mutating func resume() throws(RequestError) {
        if let fault { throw .faulted(fault) }
        guard case .paused(let s, _) = mode else { throw .notPaused }
        if s.current?.direction == .reverse {
            if !railsHeld { throw .railsNotHeld }
            if !inputs.frontZoneClear { throw .frontZoneOccupied }
        }
        mode = .running(s, waitingForRails: false)
        pending.append(contentsOf: [.resumed])
    }

    /// Clears a latched fault if its cause is gone. The belt stays stopped: a reset never
    /// restarts motion; the member starts a new session deliberately.
    mutating func reset(at now: Instant) throws(RequestError) {
        guard case .fault = mode else { throw .nothingToReset }
        if let hard = Interlock.hardStop(inputs) { throw .causePersists(hard) }
        if case .offline(let outage) = drive { throw .causePersists(Fault(outage)) }
        if let stale = staleness(at: now) { throw .causePersists(stale) }
        var after = TreadmillMode.AfterReset(coastingUntil: now + Self.coastDownAfterFault, ignoreDriveTripUntil: nil)
        if case .online(let r) = drive, r.fault != nil {
            resetDriveFault = true
            after.ignoreDriveTripUntil = now + Self.driveResetWindow
        }
        mode = .idle(after)
        planner.halt()
        pending.append(contentsOf: [.faultCleared])
    }
}
