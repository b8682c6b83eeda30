import NIOCore
import TreadCore
import TreadHardware
import TreadProtocol

/// Maps protocol requests onto the control loop. Runs on event loops; never blocks: program
/// lookups are in memory, control commands are queued, replies come back by callback.
final class RequestRouter: Sendable {
    private let control: ControlLoop
    private let shelf: ProgramShelf
    private let inputs: SafetyInputSource
    private let broadcaster: Broadcaster
    /// Programs in detail, members, history and session adjustments (issue 7).
    private let workout: WorkoutRoutes?

    init(control: ControlLoop, shelf: ProgramShelf, inputs: SafetyInputSource, broadcaster: Broadcaster, workout: WorkoutRoutes? = nil) {
        self.control = control
        self.shelf = shelf
        self.inputs = inputs
        self.broadcaster = broadcaster
        self.workout = workout
    }

    func handle(_ request: Request, channel: Channel, reply: @escaping @Sendable (ServerMessage) -> Void) {
        let id = request.id
        guard let method = Method(rawValue: request.method) else {
            reply(.failure(id, code: "unknown_method", "unknown method '\(request.method)'; methods: " + Method.allCases.map(\.rawValue).joined(separator: ", ")))
            return
        }
        let params = request.params ?? Params()
        switch method {
        case .status:
            reply(.reply(id, ResultBody(status: control.status)))
        case .watch:
            broadcaster.add(channel)
            reply(.reply(id, ResultBody(status: control.status)))
        case .programsList:
            let list = shelf.current.programs.values.sorted { $0.name < $1.name }.map {
                ProgramSummary(name: $0.name, title: $0.title, durationS: $0.totalDuration.inSeconds, reverseShare: $0.reverseShare, segments: $0.segments.count)
            }
            reply(.reply(id, ResultBody(programs: list)))
        case .start:
            let program: Program
            do {
                program = try resolveProgram(params)
            } catch let e as ErrorBody {
                reply(.failure(id, code: e.code, e.message))
                return
            } catch {
                reply(.failure(id, code: "bad_request", "\(error)"))
                return
            }
            if let member = params.member, let workout {
                workout.start(program, member: member, id: id, reply: reply)
                return
            }
            submit(.start(program), id: id, reply: reply, ok: "started \(program.name)")
        case .stop: submit(.stop, id: id, reply: reply, ok: "stopping")
        case .pause: submit(.pause, id: id, reply: reply, ok: "paused")
        case .resume: submit(.resume, id: id, reply: reply, ok: "resumed")
        case .reset: submit(.reset, id: id, reply: reply, ok: "fault reset")
        case .programsShow, .programsValidate, .sessionSkip, .sessionExtend, .sessionAddTime, .sessionNudge,
             .membersAdd, .membersList, .membersShow, .historyList, .historyWeekly:
            guard let workout else { return reply(.failure(id, code: "unknown_method", "'\(method.rawValue)' is not available")) }
            workout.handle(method, params, id: id, reply: reply)
        case .simSet:
            guard let sim = inputs as? SimulatedInputs else {
                reply(.failure(id, code: "not_simulated", "sim.set is refused: this treadmill's inputs are real, not simulated"))
                return
            }
            guard let name = params.input, let value = params.value else {
                reply(.failure(id, code: "bad_request", "sim.set needs params.input and params.value"))
                return
            }
            do {
                try sim.set(name, to: value)
                reply(.reply(id, ResultBody(message: "\(name)=\(value)")))
            } catch {
                reply(.failure(id, code: "bad_input", error.description))
            }
        }
    }

    private func submit(_ command: ControlLoop.Command, id: Int?, reply: @escaping @Sendable (ServerMessage) -> Void, ok: String) {
        control.submit(command) { result in
            switch result {
            case .success: reply(.reply(id, ResultBody(message: ok)))
            case .failure(let e): reply(.failure(id, code: e.code, e.description))
            }
        }
    }

    private func resolveProgram(_ params: Params) throws -> Program {
        if let src = params.programSource {
            do {
                return try ProgramFile.parse(src.text, file: src.file)
            } catch {
                throw ErrorBody(code: "bad_program", message: error.description)
            }
        }
        guard let name = params.program else {
            throw ErrorBody(code: "bad_request", message: "start needs params.program (a name) or params.program_source")
        }
        do {
            return try shelf.current.program(named: name)
        } catch {
            switch error {
            case .unknown: throw ErrorBody(code: "unknown_program", message: error.description)
            case .broken: throw ErrorBody(code: "bad_program", message: error.description)
            }
        }
    }
}
