/// The core's one entry point. The order that matters (take the readings, judge the requests
/// against them, then decide the tick) lives here, so the control loop, the model checks and
/// the property tests all drive the same function.
extension Treadmill {
    /// A request from the socket, as the core takes it.
    public enum Request: Hashable, Sendable {
        /// With a `member`, the session's energy is estimated from their body mass.
        case start(Program, member: Member?)
        case stop, pause, resume, reset
        case adjust(SessionAdjustment)
    }

    public enum Input: Hashable, Sendable {
        /// One control tick: the readings, and the requests that arrived since the last tick,
        /// in order. The requests are judged against this tick's readings (a reset just after
        /// the e-stop was released sees it released); their events come out with this tick.
        case tick(Tick, requests: [Request])
        /// A request on its own, judged against the last tick's readings; its events come out
        /// with the next tick (tools and tests that have no tick to give).
        case request(Request)
    }

    public struct Output: Sendable {
        /// What to write to the enable output and the drive; nil for a lone request, which
        /// changes nothing on the outputs until the next tick.
        public var commands: Commands?
        /// One per request, in order: accepted, or refused with the reason.
        public var replies: [Result<Void, RequestError>]
    }

    public mutating func handle(_ input: Input, at now: Instant) -> Output {
        switch input {
        case .tick(let tick, let requests):
            observe(tick, at: now)
            let replies = requests.map { apply($0, at: now) }
            return Output(commands: step(tick, at: now), replies: replies)
        case .request(let request):
            return Output(commands: nil, replies: [apply(request, at: now)])
        }
    }

    private mutating func apply(_ request: Request, at now: Instant) -> Result<Void, RequestError> {
        do throws(RequestError) {
            switch request {
            case .start(let program, let member): try start(program, member: member, at: now)
            case .stop: try stop()
            case .pause: try pause()
            case .resume: try resume()
            case .reset: try reset(at: now)
            case .adjust(let a): try adjust(a)
            }
            return .success(())
        } catch {
            return .failure(error)
        }
    }
}
