import CSandbox
import Foundation
import Glibc
import TreadCore
import TreadFiles
import TreadProtocol

/// Parses program text in a helper process (`treadd parse-program`, in `ParseSandbox`), so
/// text from a socket client or the programs folder never reaches a parser inside treadd.
/// Blocking: call it from a thread of its own (`ProgramParserDesk` does), never an event loop.
public struct ProgramParser: Sendable {
    /// The helper's program and arguments. The daemon runs its own binary
    /// (`/proc/self/exe`, the same version even after a package upgrade replaced the file).
    public var command: [String]
    /// Wall-clock limit for one helper, start-up included.
    public var timeout: Duration
    /// The most reply read from a helper.
    public var maxReplyBytes: Int

    public init(command: [String] = ["/proc/self/exe", "parse-program"], timeout: Duration = .seconds(3), maxReplyBytes: Int = 16 << 20) {
        self.command = command
        self.timeout = timeout
        self.maxReplyBytes = maxReplyBytes
    }

    /// One program: its structured form checked by `Program(spec:file:)`, its located problems,
    /// or why the helper failed.
    public func parse(_ document: ProgramDocument, onSpawn: (pid_t) -> Void = { _ in }) -> Result<Program, ProgramParseError> {
        switch parse([document], onSpawn: onSpawn) {
        case .success(let outcomes): return outcomes[0]
        case .failure(let f): return .failure(.parser(f))
        }
    }

    /// Several programs by one helper, one result each, in order.
    /// - Parameter onSpawn: called with the helper's pid once it runs (tests kill it there).
    public func parse(_ documents: [ProgramDocument], onSpawn: (pid_t) -> Void = { _ in }) -> Result<[Result<Program, ProgramParseError>], ParseFailure> {
        let request: Data
        do { request = try JSONEncoder().encode(ParseRequest(documents: documents)) } catch { return .failure(.garbage("request not encodable")) }
        let exchange: HelperExchange
        switch HelperProcess.run(command, input: request, timeout: timeout, maxOutput: maxReplyBytes, onSpawn: onSpawn) {
        case .failure(let f): return .failure(f)
        case .success(let e): exchange = e
        }
        guard exchange.status == 0 else { return .failure(.exited(status: exchange.status, detail: exchange.firstErrorLine)) }
        let reply: ParseReply
        do { reply = try JSONDecoder().decode(ParseReply.self, from: exchange.output) } catch {
            return .failure(.garbage("not a parse reply"))
        }
        guard reply.outcomes.count == documents.count else {
            return .failure(.garbage("\(reply.outcomes.count) answers for \(documents.count) programs"))
        }
        return .success(zip(documents, reply.outcomes).map { doc, outcome in
            switch (outcome.program, outcome.problems) {
            case (let spec?, nil):
                do throws(FileErrors) { return .success(try Program(spec: spec, file: doc.file)) } catch { return .failure(.invalid(error)) }
            case (nil, let problems?) where !problems.isEmpty:
                return .failure(.invalid(FileErrors(problems.map { FileError(file: doc.file, line: $0.line, key: $0.key, message: String($0.message.prefix(500))) })))
            default:
                return .failure(.parser(.garbage("an answer with neither a program nor problems")))
            }
        })
    }
}

/// A program text that was not accepted: its own problems, or the parser's failure.
public enum ProgramParseError: Error, Sendable, CustomStringConvertible {
    case invalid(FileErrors)
    case parser(ParseFailure)
    public var description: String {
        switch self {
        case .invalid(let e): return e.description
        case .parser(let f): return f.description
        }
    }
}

extension ProgramParser {
    /// The helper for the running process. treadd runs its own image (`/proc/self/exe`, which
    /// stays the running version through a package upgrade, so the request format always
    /// matches); a process that embeds the daemon (treadbench, the tests) runs the `treadd`
    /// built beside it.
    public static func beside(timeout: Duration = .seconds(3)) -> ProgramParser {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        let dir = (exe as NSString).deletingLastPathComponent
        let program = (exe as NSString).lastPathComponent == "treadd" ? "/proc/self/exe" : (dir as NSString).appendingPathComponent("treadd")
        return ProgramParser(command: [program, "parse-program"], timeout: timeout)
    }
}
