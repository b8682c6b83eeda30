import TreadHardware

/// The program library the socket server reads from, swapped whole on SIGHUP. Readers get a
/// consistent library (never a half-read folder); the control loop never touches it, and a
/// session already running keeps the program it started with.
final class ProgramShelf: Sendable {
    private let library: Locked<ProgramLibrary>

    init(_ library: ProgramLibrary) { self.library = Locked(library) }

    var current: ProgramLibrary { library.withLock { $0 } }

    func replace(with new: ProgramLibrary) { library.withLock { $0 = new } }
}
