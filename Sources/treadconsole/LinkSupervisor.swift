import Logging
import ServiceLifecycle

/// Keeps the watch connection to treadd open: when treadd is down or restarts, the hub is told
/// at once (the page says so), and the link is tried again every `retry` until it is back.
struct LinkSupervisor: Service {
    let link: DaemonLink
    let hub: ConsoleHub
    let logger: Logger
    var retry: Duration = .seconds(1)

    func run() async throws {
        var first = true
        while !Task.isCancelledOrShuttingDown {
            let reason: String
            do {
                try await link.watch { line in await hub.received(line) }
                reason = "treadd closed the connection (restarting?)"
            } catch {
                reason = String(describing: error)
            }
            // Logged once per loss, not once a second while treadd stays down.
            if await hub.isLinkUp || first { logger.warning("no link to treadd: \(reason); reconnecting") }
            first = false
            await hub.lost(reason + "; reconnecting")
            // A back-off between attempts, not a wait for a state: treadd gives no signal
            // when it comes back, so the only way to know is to try again.
            try? await Task.sleep(for: retry)
        }
    }
}

extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
