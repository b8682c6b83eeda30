import ArgumentParser
import Foundation
import Hummingbird
import Logging

/// `treadconsole`: the member's console. A client of treadd's socket that serves one page and
/// its event stream over HTTP, on the loopback interface by default, for a kiosk browser.
/// treadd itself serves no HTTP: a browser and a web server stay outside the safety daemon.
@main
struct Treadconsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the treadmill's console page (a kiosk display fed by treadd's socket).",
        discussion: """
            Examples:
              treadconsole                                # http://127.0.0.1:8080/, /run/treadd/treadd.sock
              treadconsole --socket /tmp/treadd-demo/treadd.sock --port 0
              chromium --kiosk --app=http://127.0.0.1:8080/
            """)

    @Option(help: "treadd's socket (default: $TREADD_SOCKET, else /run/treadd/treadd.sock).")
    var socket: String?

    @Option(help: "Address to listen on. Keep the loopback address unless a firewall guards the port.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (printed at start).")
    var port = 8080

    func run() async throws {
        let socketPath = socket ?? ProcessInfo.processInfo.environment["TREADD_SOCKET"] ?? "/run/treadd/treadd.sock"
        var logger = Logger(label: "treadconsole")
        logger.logLevel = .info
        let link = DaemonLink(socketPath: socketPath)
        let hub = ConsoleHub()
        let router = Router()
        ConsoleRoutes(link: link, hub: hub).add(to: router)
        let host = self.host
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "treadconsole"),
            services: [LinkSupervisor(link: link, hub: hub, logger: logger)],
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? -1
                // Tests and the unit's log read this line to find the page.
                print("treadconsole listening on http://\(host):\(bound)/ (treadd socket \(socketPath))")
                fflush(nil)  // every output stream: stdout is a pipe under systemd and in tests
            },
            logger: logger)
        try await app.runService()
    }
}
