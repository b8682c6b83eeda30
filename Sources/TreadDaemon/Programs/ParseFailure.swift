/// Why the program parser gave no answer. Each is an error reply to the one client whose text
/// it was (or a broken entry in the programs folder); nothing else in treadd is affected.
public enum ParseFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case couldNotStart(errno: Int32)
    /// Killed by a signal: an abort in the TOML parser, the CPU limit, or SIGKILL.
    case killed(signal: Int32)
    case exited(status: Int32, detail: String)
    /// No answer within the time limit; the helper was killed.
    case timedOut(Duration)
    /// An answer that is not one: not JSON of the expected shape, too long, or for the wrong
    /// number of documents.
    case garbage(String)
    /// Too many parses already waiting: this request was turned away at once.
    case busy

    public var description: String {
        switch self {
        case .couldNotStart(let e): return "the program parser could not be started (errno \(e))"
        case .killed(let s): return "the program parser stopped on signal \(s) (\(Self.signalName(s))) before answering; the text was not accepted"
        case .exited(let status, let detail):
            return "the program parser exited with status \(status) without an answer" + (detail.isEmpty ? "" : ": \(detail)")
        case .timedOut(let limit): return "the program parser gave no answer within \(limit) and was stopped; the text was not accepted"
        case .garbage(let why): return "the program parser's answer was not usable (\(why)); the text was not accepted"
        case .busy: return "too many programs are being parsed right now; try again in a moment"
        }
    }

    static func signalName(_ s: Int32) -> String {
        switch s {
        case 6: return "SIGABRT"
        case 9: return "SIGKILL"
        case 11: return "SIGSEGV"
        case 24: return "SIGXCPU"
        case 4: return "SIGILL"
        case 5: return "SIGTRAP"
        case 31: return "SIGSYS"
        default: return "signal \(s)"
        }
    }
}
