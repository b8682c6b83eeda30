import Dispatch
import Synchronization
import TreadCore

/// Runs program parses for the socket server on a queue of its own, one helper at a time, so
/// an event loop never waits on a helper and a flood of requests cannot start a flood of
/// processes: past `maxWaiting`, a request is answered `busy` at once.
public final class ProgramParserDesk: Sendable {
    public let parser: ProgramParser
    private let queue = DispatchQueue(label: "treadd.program.parser")
    private let waiting = Atomic<Int>(0)
    let maxWaiting: Int

    public init(parser: ProgramParser, maxWaiting: Int = 8) {
        self.parser = parser
        self.maxWaiting = maxWaiting
    }

    public func parse(_ document: ProgramDocument, done: @escaping @Sendable (Result<Program, ProgramParseError>) -> Void) {
        guard waiting.add(1, ordering: .relaxed).newValue <= maxWaiting else {
            self.waiting.subtract(1, ordering: .relaxed)
            return done(.failure(.parser(.busy)))
        }
        queue.async { [self] in
            let result = self.parser.parse(document)
            self.waiting.subtract(1, ordering: .relaxed)
            done(result)
        }
    }
}
