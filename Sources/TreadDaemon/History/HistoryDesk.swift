import Dispatch
import TreadCore

/// Runs history reads and member edits on a serial queue of their own, so neither the
/// event loops nor the control thread ever wait on the database. Answers come back by callback.
public final class HistoryDesk: Sendable {
    let writer: HistoryWriter
    private let queue = DispatchQueue(label: "treadd.history.desk")

    public init(writer: HistoryWriter) { self.writer = writer }

    /// Runs `body` with the open store, or reports why the database is unavailable.
    public func perform<T: Sendable>(_ body: @escaping @Sendable (HistoryStore) throws(HistoryQueryError) -> T,
                                     done: @escaping @Sendable (Result<T, HistoryQueryError>) -> Void) {
        let writer = self.writer
        queue.async {
            // A read sees what the control loop recorded before it (a session that just ended),
            // unless the disk is failing; then it answers from what is there.
            writer.drain(timeout: .seconds(1))
            guard let store = writer.openedStore(timeout: .seconds(5)) else {
                let why = writer.health.error ?? "not opened yet"
                done(.failure(.database(HistoryError(path: writer.path, message: "unavailable: \(why)"))))
                return
            }
            do throws(HistoryQueryError) { done(.success(try body(store))) } catch { done(.failure(error)) }
        }
    }
}
