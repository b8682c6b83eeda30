import Foundation
import Logging
import TreadCore
import TreadProtocol
import TreadFiles
import TreadTraining

/// The socket methods of programs in detail, members, history and session adjustments.
/// Never blocks an event loop: programs are in memory, the database is reached through the
/// history desk's queue, control commands are queued to the control loop.
final class WorkoutRoutes: Sendable {
    private let control: ControlLoop
    private let shelf: ProgramShelf
    private let programs: ProgramLookup
    private let limits: MachineLimits
    private let desk: HistoryDesk?
    private let fleetMembers: FleetMemberFiles?
    private let logger: Logger

    typealias Reply = @Sendable (ServerMessage) -> Void

    init(control: ControlLoop, shelf: ProgramShelf, parser: ProgramParserDesk, limits: MachineLimits, desk: HistoryDesk?,
         fleetMembers: FleetMemberFiles? = nil, logger: Logger) {
        self.control = control
        self.shelf = shelf
        self.programs = ProgramLookup(shelf: shelf, parser: parser)
        self.limits = limits
        self.desk = desk
        self.fleetMembers = fleetMembers
        self.logger = logger
    }

    func handle(_ method: TreadProtocol.Method, _ params: Params, id: Int?, reply: @escaping Reply) {
        switch method {
        case .programsShow, .programsValidate: programDetail(params, id: id, reply: reply)
        case .sessionSkip: adjust(.skip, id: id, reply: reply)
        case .sessionExtend, .sessionAddTime:
            guard let s = params.seconds, s.isFinite else {
                return reply(.failure(id, code: "bad_request", "\(method.rawValue) needs params.seconds"))
            }
            let d = Duration.fractionalSeconds(s)
            adjust(method == .sessionExtend ? .extend(d) : .addTime(d), id: id, reply: reply)
        case .sessionNudge:
            guard let k = params.kmh else { return reply(.failure(id, code: "bad_request", "session.nudge needs params.kmh")) }
            adjust(.nudge(kmh: k), id: id, reply: reply)
        case .membersAdd: addMember(params, id: id, reply: reply)
        case .membersList:
            withDesk(id, reply, { store throws(HistoryQueryError) in try store.members() }) { ResultBody(members: $0.map(Self.info)) }
        case .membersShow:
            guard let name = params.member else { return reply(.failure(id, code: "bad_request", "members.show needs params.member")) }
            withDesk(id, reply, { store throws(HistoryQueryError) in
                let m = try store.member(named: name)
                return (m, try store.sessions(member: m.name, limit: 5), try store.weeklyTotals(member: m.name))
            }) { m, sessions, weeks in
                var r = ResultBody(members: [Self.info(m)])
                r.sessions = sessions
                r.weeks = weeks
                return r
            }
        case .historyList:
            let member = params.member, limit = max(1, min(params.limit ?? 20, 1000))
            withDesk(id, reply, { store throws(HistoryQueryError) in
                if let member { _ = try store.member(named: member) }
                return (try store.sessions(member: member, limit: limit), try store.weeklyTotals(member: member))
            }) { sessions, weeks in
                var r = ResultBody()
                r.sessions = sessions
                r.weeks = weeks
                return r
            }
        case .historyWeekly:
            let member = params.member
            withDesk(id, reply, { store throws(HistoryQueryError) in
                if let member { _ = try store.member(named: member) }
                return try store.weeklyTotals(member: member)
            }) { ResultBody(weeks: $0) }
        case .historySession:
            // The id is a bound SQL argument only; the bound on its length keeps a client's
            // megabyte of text out of the query and the error message.
            guard let session = params.session, !session.isEmpty, session.count <= 64 else {
                return reply(.failure(id, code: .badRequest, "history.session needs params.session: a session id (at most 64 characters)"))
            }
            withDesk(id, reply, { store throws(HistoryQueryError) in try store.session(id: session) }) { detail in
                var r = ResultBody()
                r.session = detail
                return r
            }
        case .status, .start, .stop, .pause, .resume, .reset, .watch, .programsList, .simSet:
            reply(.failure(id, code: "unknown_method", "method '\(method.rawValue)' is not handled here"))
        }
    }

    /// `start` with a member: looks the member up and checks the training load off the event
    /// loop, then queues the start. The warnings go back with the reply and into the history.
    func start(_ program: Program, member name: String, id: Int?, reply: @escaping Reply) {
        let control = self.control, logger = self.logger, fleetMembers = self.fleetMembers
        withDesk(id, reply, { store throws(HistoryQueryError) in
            let m = try store.member(named: name)
            let now = Date().timeIntervalSince1970
            let fleet = fleetMembers?.sessions(of: m.name, now: now)
            let recent = try store.recentLoad(member: m.name, now: now, fleet: fleet?.sessions ?? [])
            let warnings = TrainingLoad.check(planned: program.totalDuration, recent: recent)
            return (m, warnings + [fleet?.warning].compactMap { $0 })
        }, then: { (found: (Member, [TrainingLoad.Warning])) in
            let (member, warnings) = found
            for w in warnings { logger.warning("training load: \(w.description)", metadata: ["member": "\(member.name)", "warning": "\(w.code)"]) }
            control.submit(.startSession(program, .init(member: member, warnings: warnings))) { result in
                switch result {
                case .success:
                    var r = ResultBody(message: "started \(program.name) for \(member.name)")
                    r.warnings = warnings.isEmpty ? nil : warnings.map(\.description)
                    reply(.reply(id, r))
                case .failure(let e): reply(.failure(id, code: ErrorCode(rawValue: e.code), e.description))
                }
            }
        })
    }

    private func adjust(_ a: SessionAdjustment, id: Int?, reply: @escaping Reply) {
        control.submit(.adjust(a)) { result in
            switch result {
            case .success: reply(.reply(id, ResultBody(message: "ok")))
            case .failure(let e): reply(.failure(id, code: ErrorCode(rawValue: e.code), e.description))
            }
        }
    }

    private func programDetail(_ params: Params, id: Int?, reply: @escaping Reply) {
        programs.resolve(params, method: "programs.show") { [self] found in
            switch found {
            case .failure(let e): reply(.failure(id, code: e.code, e.message))
            case .success(let program): describe(program, params, id: id, reply: reply)
            }
        }
    }

    private func describe(_ program: Program, _ params: Params, id: Int?, reply: @escaping Reply) {
        let file = params.programSource?.file ?? (shelf.current.directory + "/" + program.name + ".toml")
        let problems = program.violations(against: limits).map { v in "\(file):\(v.line.map(String.init) ?? "?"): segment \(v.segmentIndex + 1): \(v.message)" }
        let base = Self.detail(program, problems: problems)
        guard let name = params.member else { return reply(.reply(id, ResultBody(program: base))) }
        withDesk(id, reply, { store throws(HistoryQueryError) in try store.member(named: name) }) { m in
            var d = base
            if let mass = m.bodyMassKg {
                d.energyKcalEstimate = (program.energy(massKg: mass).kcal * 10).rounded() / 10
                for (i, s) in program.segments.enumerated() { d.segments[i].energyKcalEstimate = (s.energy(massKg: mass).kcal * 10).rounded() / 10 }
            }
            return ResultBody(program: d)
        }
    }

    private func addMember(_ params: Params, id: Int?, reply: @escaping Reply) {
        guard let name = params.member else { return reply(.failure(id, code: "bad_request", "members.add needs params.member")) }
        let member: Member
        do {
            var level = Member.Level.beginner
            if let l = params.level {
                guard let parsed = Member.Level(rawValue: l) else {
                    throw MemberError.invalid(["level must be one of \(Member.Level.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(l)\""])
                }
                level = parsed
            }
            member = try Member(name: name, bodyMassKg: params.bodyMassKg, level: level)
        } catch let e as MemberError {
            return reply(.failure(id, code: ErrorCode(rawValue: e.code), e.description))
        } catch {
            return reply(.failure(id, code: "bad_member", "\(error)"))
        }
        withDesk(id, reply, { store throws(HistoryQueryError) in try store.addMember(member) }) { _ in
            ResultBody(message: "member \(member.name) added")
        }
    }

    private func withDesk<T: Sendable>(_ id: Int?, _ reply: @escaping Reply, _ body: @escaping @Sendable (HistoryStore) throws(HistoryQueryError) -> T,
                                       then: @escaping @Sendable (T) -> Void) {
        guard let desk else {
            return reply(.failure(id, code: "history_off", "treadd keeps no history: set [history] path in treadd.toml"))
        }
        desk.perform(body) { result in
            switch result {
            case .success(let v): then(v)
            case .failure(let e): reply(.failure(id, code: ErrorCode(rawValue: e.code), e.description))
            }
        }
    }

    private func withDesk<T: Sendable>(_ id: Int?, _ reply: @escaping Reply, _ body: @escaping @Sendable (HistoryStore) throws(HistoryQueryError) -> T,
                                       _ make: @escaping @Sendable (T) -> ResultBody) {
        withDesk(id, reply, body, then: { reply(.reply(id, make($0))) })
    }

    static func info(_ m: Member) -> MemberInfo { MemberInfo(name: m.name, bodyMassKg: m.bodyMassKg, level: m.level.rawValue) }

    static func detail(_ p: Program, problems: [String]) -> ProgramDetail {
        let segs = p.segments.enumerated().map { i, s in
            SegmentInfo(index: i + 1, role: s.role.rawValue, direction: s.direction.rawValue, speedKmh: s.speed.kmh,
                        durationS: s.duration.inSeconds, inclinePct: s.incline, message: s.message, line: s.line)
        }
        let d = p.plannedDistance
        return ProgramDetail(summary: ProgramSummary(name: p.name, title: p.title, durationS: p.totalDuration.inSeconds,
                                                     reverseShare: p.reverseShare, segments: p.segments.count),
                             segments: segs, forwardM: d.forward, reverseM: d.reverse, energyKcalEstimate: nil, problems: problems)
    }
}
