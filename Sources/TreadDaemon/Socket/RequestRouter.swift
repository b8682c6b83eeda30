import NIOCore
import TreadCore
import TreadHardware
import TreadProtocol
import TreadFiles

/// Maps protocol requests onto the control loop. Runs on event loops; never blocks: program
/// lookups are in memory, control commands are queued, replies come back by callback.
final class RequestRouter: Sendable {
    private let control: ControlLoop
    private let shelf: ProgramShelf
    private let programs: ProgramLookup
    private let inputs: SafetyInputSource
    private let broadcaster: Broadcaster
    /// Programs in detail, members, history and session adjustments (issue 7).
    private let workout: WorkoutRoutes?
    /// The simulated enable output, whose writes `sim.set enable_output=failing` breaks.
    private let simulatedEnable: SimulatedEnableOutput?

    init(control: ControlLoop, shelf: ProgramShelf, parser: ProgramParserDesk, inputs: SafetyInputSource, broadcaster: Broadcaster, workout: WorkoutRoutes? = nil,
         simulatedEnable: SimulatedEnableOutput? = nil) {
        self.simulatedEnable = simulatedEnable
        self.control = control
        self.shelf = shelf
        self.programs = ProgramLookup(shelf: shelf, parser: parser)
        self.inputs = inputs
        self.broadcaster = broadcaster
        self.workout = workout
    }

    /// - Parameter mayControl: the connection's control decision, asked only for a control method.
    func handle(_ request: Request, channel: Channel, mayControl: () -> ControlAccess.Decision,
                reply: @escaping @Sendable (ServerMessage) -> Void) {
        let id = request.id
        guard let method = Method(rawValue: request.method) else {
            reply(.failure(id, code: .unknownMethod, "unknown method '\(request.method.prefix(64))'; methods: " + Method.allCases.map(\.rawValue).joined(separator: ", ")))
            return
        }
        if method.access == .control, case .refused(let why) = mayControl() {
            reply(.failure(id, code: .permissionDenied, "\(method.rawValue) refused: \(why)"))
            return
        }
        // sim.set stands for the physical inputs (an e-stop pressed during the shutdown ramp
        // must still be pressable), not for a request to the belt.
        if method.access == .control, method != .simSet, control.lifecycle == .stopping || control.lifecycle == .stopped {
            reply(.failure(id, code: .shuttingDown, RequestError.shuttingDown.description))
            return
        }
        let params = request.params ?? Params()
        switch method {
        case .status:
            var status = control.status
            let (counters, persisted) = control.machineCounters
            status.machine = Status.MachineInfo(counters: counters, persisted: persisted)
            reply(.reply(id, ResultBody(status: status)))
        case .watch:
            broadcaster.add(channel)
            reply(.reply(id, ResultBody(status: control.status)))
        case .programsList:
            let list = shelf.current.programs.values.sorted { $0.name < $1.name }.map {
                ProgramSummary(name: $0.name, title: $0.title, durationS: $0.totalDuration.inSeconds, reverseShare: $0.reverseShare, segments: $0.segments.count)
            }
            reply(.reply(id, ResultBody(programs: list)))
        case .start:
            let workout = self.workout
            programs.resolve(params, method: "start") { [self] found in
                switch found {
                case .failure(let e): reply(.failure(id, code: e.code, e.message))
                case .success(let program):
                    if let member = params.member, let workout {
                        workout.start(program, member: member, id: id, reply: reply)
                    } else {
                        submit(.start(program), id: id, reply: reply, ok: "started \(program.name)")
                    }
                }
            }
        case .stop: submit(.stop, id: id, reply: reply, ok: "stopping")
        case .pause: submit(.pause, id: id, reply: reply, ok: "paused")
        case .resume: submit(.resume, id: id, reply: reply, ok: "resumed")
        case .reset: submit(.reset, id: id, reply: reply, ok: "fault reset")
        case .programsShow, .programsValidate, .sessionSkip, .sessionExtend, .sessionAddTime, .sessionNudge,
             .membersAdd, .membersList, .membersShow, .historyList, .historyWeekly, .historySession:
            guard let workout else { return reply(.failure(id, code: "unknown_method", "'\(method.rawValue)' is not available")) }
            workout.handle(method, params, id: id, reply: reply)
        case .simSet:
            guard let sim = inputs as? SimulatedInputs else {
                reply(.failure(id, code: .notSimulated, "sim.set is refused: this treadmill's inputs are real, not simulated"))
                return
            }
            guard let name = params.input, let value = params.value else {
                reply(.failure(id, code: .badRequest, "sim.set needs params.input and params.value"))
                return
            }
            if let injected = injectFault(name, value, sim) {
                reply(injected ? .reply(id, ResultBody(message: "\(name)=\(value)"))
                               : .failure(id, code: .badInput, "'\(value)' is not a value for \(name); it takes \(name == "enable_output" ? "failing|working" : "stopped|running")"))
                return
            }
            do {
                try sim.set(name, to: value)
                reply(.reply(id, ResultBody(message: "\(name)=\(value)")))
            } catch {
                reply(.failure(id, code: .badInput, error.description))
            }
        }
    }

    /// Faults a simulated machine can be given at run time, for tests of their supervision:
    /// `enable_output=failing|working` (every write of the relay fails, as a broken GPIO line
    /// would), `input_thread=stopped|running` (the inputs behave as a thread that died).
    /// Nil when `name` is not one of them; false for a value it does not take.
    private func injectFault(_ name: String, _ value: String, _ sim: SimulatedInputs) -> Bool? {
        switch (name, value) {
        case ("enable_output", "failing"), ("enable_output", "working"):
            guard let simulatedEnable else { return false }
            simulatedEnable.failing = value == "failing"
            return true
        case ("input_thread", "stopped"): sim.haltThread(); return true
        case ("input_thread", "running"): sim.resumeThread(); return true
        case ("enable_output", _), ("input_thread", _): return false
        default: return nil
        }
    }

    private func submit(_ command: ControlLoop.Command, id: Int?, reply: @escaping @Sendable (ServerMessage) -> Void, ok: String) {
        control.submit(command) { result in
            switch result {
            case .success: reply(.reply(id, ResultBody(message: ok)))
            case .failure(let e): reply(.failure(id, code: ErrorCode(rawValue: e.code), e.description))
            }
        }
    }
}
