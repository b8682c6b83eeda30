import TreadCore
import TreadProtocol

extension Treadmill {
    /// The socket API's view of the treadmill. Pure: built from the core state alone.
    /// - Parameter enable: the relay as last written; nil when a write failed and its state is unknown.
    func statusSnapshot(enable: Bool?, at now: Instant) -> Status {
        let session = self.session
        let seg = session?.current
        var s = Status(state: state.rawValue)
        if let session {
            s.program = session.program.name
            s.programTitle = session.program.title
            s.segmentIndex = min(session.index + 1, session.program.segments.count)
            s.segmentCount = session.program.segments.count
            s.elapsedS = session.elapsed.inSeconds
            s.remainingS = session.remaining.inSeconds
            s.segmentRemainingS = seg == nil ? nil : session.remainingInSegment.inSeconds
            if let n = session.next {
                s.next = Status.Upcoming(direction: n.direction.rawValue, speedKmh: n.speed.kmh, inS: session.remainingInSegment.inSeconds)
            }
        }
        s.segmentDirection = seg?.direction.rawValue
        s.targetSpeedKmh = state == .running ? (seg?.speed.kmh ?? 0) : 0
        s.beltSpeedKmh = beltSpeed.map { ($0.kmh * 100).rounded() / 100 }
        s.direction = planner.movingDirection?.rawValue ?? ((beltSpeed ?? .zero) > limits.standstill ? (planner.lastDirection?.rawValue ?? "none") : "none")
        s.phase = phaseName(at: now)
        s.pauseReason = pauseReason?.rawValue
        s.rails = .init(left: inputs.railLeftHeld ? "held" : "released", right: inputs.railRightHeld ? "held" : "released")
        s.estop = inputs.estopClosed ? "closed" : "open"
        s.safetyKey = inputs.keyInserted ? "inserted" : "pulled"
        s.enable = enable
        switch drive {
        case .connecting: s.drive = "connecting"
        case .online: s.drive = "online"
        case .offline: s.drive = "offline"
        }
        s.fault = fault.map { .init(code: $0.code, message: $0.description) }
        s.notice = notice(at: now)
        if session != nil || tally.movingTime > .zero {
            s.member = member?.name
            s.distanceForwardM = (tally.forwardDistance * 10).rounded() / 10
            s.distanceReverseM = (tally.reverseDistance * 10).rounded() / 10
            s.energyKcalEstimate = tally.energy.map { ($0.kcal * 10).rounded() / 10 }
        }
        return s
    }

    private func phaseName(at now: Instant) -> String {
        switch planner.phase {
        case .stopped: return "stopped"
        case .running: return "running"
        case .rampingDown: return "ramping_down"
        case .awaitingZero: return "awaiting_zero"
        case .dwelling: return "dwelling"
        case .ready: return "ready"
        }
    }

    private func notice(at now: Instant) -> String? {
        if let fault { return fault.description }
        if let since = interlock.releasedSince {
            let left = max(0, (interlock.grace - (now - since)).inSeconds)
            return "hold the rails! the belt stops in \(Int(left.rounded(.up))) s"
        }
        if state == .paused, let r = pauseReason { return r.description }
        if waitingForRails { return "hold the rails to start the reverse segment" }
        if case .dwelling(let d, let until) = planner.phase {
            let left = max(0, (until - now).inSeconds)
            return "\(d.rawValue) in \(Int(left.rounded(.up))) s" + (d == .reverse ? ": hold the rails" : "")
        }
        if state == .running, let m = session?.current?.message { return m }
        return nil
    }
}
