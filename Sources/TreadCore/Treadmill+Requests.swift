/// Requests from the socket. Each either takes effect at once (its events published with the
/// next step) or is refused with a reason; none can bypass the limits or the interlock.
extension Treadmill {
    /// Starts `program`; with a `member`, the session's energy is estimated from their body mass.
    public mutating func start(_ program: Program, member: Member? = nil, at now: Instant) throws(RequestError) {
        if let fault { throw .faulted(fault) }
        guard state == .idle else { throw .busy(state) }
        if let hard = Interlock.hardStop(inputs) { throw .unsafeInputs(hard) }
        switch drive {
        case .connecting: throw .driveNotReady("not connected yet")
        case .offline(let why): throw .driveNotReady(why)
        case .online(let report):
            if let stale = staleness(at: now) { throw .driveNotReady(stale.description) }
            if let trip = report.fault { throw .driveNotReady("the drive reports fault \(trip.code): \(trip.message)") }
        }
        if let until = coastingUntil, now < until {
            throw .driveNotReady("the belt may still be coasting after the fault; wait \(Int((until - now).inSeconds.rounded(.up))) s")
        }
        let violations = program.violations(against: limits)
        guard violations.isEmpty else { throw .programRejected(violations) }
        session = SessionRunner(program: program)
        self.member = member
        tally = SessionTally(massKnown: member?.bodyMassKg != nil)
        state = .running
        pauseReason = nil
        pending.append(contentsOf: [.sessionStarted(program: program.name), .segmentStarted(index: 0, segment: program.segments[0])])
    }

    /// A controlled (category 1) stop that ends the session.
    public mutating func stop(at now: Instant) throws(RequestError) {
        switch state {
        case .running, .paused:
            state = .stopping
            pauseReason = nil
            pending.append(contentsOf: [.sessionStopped])
        case .stopping: break
        case .idle, .fault: throw .notActive
        }
    }

    public mutating func pause(at now: Instant) throws(RequestError) {
        guard state == .running else { throw state == .paused ? .alreadyPaused : .notActive }
        state = .paused
        pauseReason = .request
        pending.append(contentsOf: [.paused(.request)])
    }

    /// Continues a paused session. A reverse segment needs the rails held now, not later.
    public mutating func resume(at now: Instant) throws(RequestError) {
        if let fault { throw .faulted(fault) }
        guard state == .paused else { throw .notPaused }
        if session?.current?.direction == .reverse {
            if !railsHeld { throw .railsNotHeld }
            if !inputs.frontZoneClear { throw .frontZoneOccupied }
        }
        state = .running
        pauseReason = nil
        pending.append(contentsOf: [.resumed])
    }

    /// Clears a latched fault if its cause is gone. The belt stays stopped: a reset never
    /// restarts motion; the member starts a new session deliberately.
    public mutating func reset(at now: Instant) throws(RequestError) {
        guard fault != nil else { throw .nothingToReset }
        if let hard = Interlock.hardStop(inputs) { throw .causePersists(hard) }
        if case .offline(let why) = drive { throw .causePersists(.driveOffline(why)) }
        if let stale = staleness(at: now) { throw .causePersists(stale) }
        if case .online(let r) = drive, r.fault != nil {
            resetDriveFault = true
            ignoreDriveTripUntil = now + Self.driveResetWindow
        }
        fault = nil
        state = .idle
        coastingUntil = now + Self.coastDownAfterFault
        planner.halt()
        pending.append(contentsOf: [.faultCleared])
    }
}
