import ArgumentParser
import Foundation
import Synchronization
import TreadCore
import TreadHardware

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set from the SIGTERM/SIGINT handler, polled by the server loop (at least every 10 ms).
enum Shutdown {
    static let requested = Atomic<Bool>(false)

    static func installHandlers() {
        // Initialise the lazy static before a signal handler can touch it.
        requested.store(false, ordering: .relaxed)
        signal(SIGINT) { _ in Shutdown.requested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in Shutdown.requested.store(true, ordering: .relaxed) }
        signal(SIGPIPE, SIG_IGN)
        // A parent may have started us with these signals blocked (test runners, some
        // supervisors); blocked, SIGTERM would never stop the simulator.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}

func fail(_ message: String) -> ExitCode {
    let line = "treadsim: " + message.replacingOccurrences(of: "\n", with: "; ") + "\n"
    FileHandle.standardError.write(Data(line.utf8))
    return .failure
}

struct Treadsim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treadsim",
        abstract: "A simulated VFD motor drive served over Modbus TCP or RTU, described by a drive profile.",
        discussion: """
            The drive is emulated from the profile: register map and scaling, FC16-only drives \
            (FC06 answered with exception 01), apply/ENTER parameters, DRIVECOM-style start-up \
            sequences, status bit patterns, signed output and references, a fault code in part \
            of a register, the comm-loss watchdog (also as a field packed into a shared register, \
            whose other bits start non-zero so a master that clobbers them shows) and trips.

            With --control PATH, treadsim also listens on a Unix stream socket for fault \
            injection at run time, e.g. `echo "late 400" | socat - UNIX-CONNECT:PATH`. \
            `overspeed` and `freeze` make a drive that lies about the belt (it runs faster than \
            told, or its reports hang while the belt moves on), for testing treadd's supervision.\n

            """ + SimulatorServer.controlHelp + """


            Injections and their effects are logged in the --log file as {"kind":"inject",...}.
            """)

    @Option(help: "Drive profile TOML file (Config/drives/*.toml).")
    var profile: String

    @Option(help: ArgumentHelp("Serve Modbus TCP on an IPv4 address and port.", valueName: "host:port"))
    var tcp: String?

    @Option(help: ArgumentHelp("Serve Modbus RTU on a serial device or PTY.", valueName: "device"))
    var rtu: String?

    @Option(help: "Modbus unit (slave) id.")
    var unit: Int = 1

    @Option(help: "RTU baud rate.")
    var baud: Int = 19200

    @Option(help: ArgumentHelp("RTU parity: N, E or O (8 data bits, 1 stop bit).", valueName: "N|E|O"))
    var parity: String = "N"

    @Option(help: ArgumentHelp("Write a JSON Lines log of requests and drive state.", valueName: "file"))
    var log: String?

    @Option(help: ArgumentHelp("Listen for fault-injection commands on a Unix stream socket (see below).", valueName: "path"))
    var control: String?

    func validate() throws {
        switch (tcp, rtu) {
        case (nil, nil), (.some, .some): throw ValidationError("give exactly one of --tcp HOST:PORT or --rtu DEVICE")
        default: break
        }
        if let tcp { _ = try Self.hostPort(tcp) }
        guard ["N", "E", "O"].contains(parity.uppercased()) else { throw ValidationError("--parity must be N, E or O") }
        guard baud > 0 else { throw ValidationError("--baud must be above 0") }
    }

    static func hostPort(_ s: String) throws -> (String, Int) {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--tcp must be HOST:PORT with a port in 0...65535, got \"\(s)\"")
        }
        return (String(s[..<colon]), port)
    }

    func run() throws {
        let drive: DriveProfile
        do { drive = try DriveProfile.load(path: profile) } catch { throw fail(error.description) }

        let transport: SimulatorTransport
        if let tcp {
            let (host, port) = try Self.hostPort(tcp)
            transport = .tcp(host: host, port: port)
        } else {
            transport = .rtu(device: rtu!, baud: baud, parity: Character(parity.uppercased()), dataBits: 8, stopBits: 1)
        }

        Shutdown.installHandlers()
        let server: SimulatorServer
        do { server = try SimulatorServer(profile: drive, transport: transport, unit: unit, log: log, control: control) } catch { throw fail(error.description) }
        FileHandle.standardError.write(Data("treadsim: \(drive.name) on \(server.endpoint) unit \(unit)\n".utf8))
        if let control { FileHandle.standardError.write(Data("treadsim: control socket \(control)\n".utf8)) }
        do { try server.run { Shutdown.requested.load(ordering: .relaxed) } } catch { throw fail(error.description) }
    }
}

Treadsim.main()
