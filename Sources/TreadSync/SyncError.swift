/// What stops treadsync from doing its work, naming the file or the broker.
public enum SyncError: Error, Sendable, CustomStringConvertible {
    case history(path: String, message: String)
    case ledger(path: String, message: String)

    public var description: String {
        switch self {
        case .history(let path, let message): "history database \(path): \(message)"
        case .ledger(let path, let message): "treadsync ledger \(path): \(message)"
        }
    }
}
