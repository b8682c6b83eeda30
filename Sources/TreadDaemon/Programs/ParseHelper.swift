import Foundation
import TreadCore
import TreadFiles
import TreadProtocol

/// The work of `treadd parse-program`, the short-lived process that parses program text for
/// treadd: a request on stdin, a reply on stdout. It runs inside `ParseSandbox`, so a text
/// that makes the TOML parser abort, loop or eat memory costs this process, never the daemon.
public enum ParseHelper {
    /// The most stdin the helper reads; the daemon never sends more (a socket line is smaller).
    public static let maxRequestBytes = 8 << 20

    /// The reply for a request's bytes. A request that is not one (the daemon never sends
    /// such) is answered by exit status 2 from the caller, not by a reply.
    public static func answer(_ request: Data) throws -> Data {
        let req = try JSONDecoder().decode(ParseRequest.self, from: request)
        let outcomes = req.documents.map { doc -> ParseOutcome in
            do throws(FileErrors) {
                return ParseOutcome(program: ProgramSpec(try ProgramFile.parse(doc.text, file: doc.file, name: doc.name)), problems: nil)
            } catch {
                return ParseOutcome(program: nil, problems: error.errors.map { LocatedProblem(file: $0.file, line: $0.line, key: $0.key, message: $0.message) })
            }
        }
        return try JSONEncoder().encode(ParseReply(outcomes: outcomes))
    }
}
