import Foundation
import Hummingbird
import TreadProtocol

/// The console's HTTP surface: the page, its event stream, the program list and the buttons.
///
/// A button is forwarded to treadd as the same request treadctl sends, so treadd applies the
/// same checks (rails, faults, limits); the console adds none and bypasses none. Buttons are
/// POSTs that must carry `Content-Type: application/json`: a browser sends that from another
/// site only after a CORS preflight, which this server never grants, so no other page in the
/// kiosk browser can press them.
struct ConsoleRoutes {
    let link: DaemonLink
    let hub: ConsoleHub

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8",
                    .cacheControl: "no-store",
                    .contentSecurityPolicy: "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:",
                ],
                body: .init(byteBuffer: ByteBuffer(string: ConsolePage.html)))
        }
        router.get("/events") { _, _ in
            let stream = await hub.subscribe()
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                body: ResponseBody { writer in
                    // The browser reconnects by itself after a second when the console restarts.
                    try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                    for await message in stream {
                        try await writer.write(ByteBuffer(string: "data: \(message)\n\n"))
                    }
                    try await writer.finish(nil)
                })
        }
        router.get("/api/programs") { _, _ -> EditedResponse<ButtonReply> in
            do {
                let result = try await link.call(.programsList)
                return .init(response: ButtonReply(ok: true, message: "", programs: result.programs ?? []))
            } catch {
                return reply(to: error)
            }
        }
        router.post("/api/start") { request, context -> EditedResponse<ButtonReply> in
            guard Self.isJSON(request) else { return Self.notJSON() }
            guard let body = try? await request.decode(as: StartBody.self, context: context),
                  !body.program.isEmpty, !body.program.contains("/") else {
                return .init(status: .badRequest, response: ButtonReply(ok: false, code: "bad_request", message: "choose a program from the list"))
            }
            return await forward(.start, Params(program: body.program), doing: "start \(body.program)")
        }
        let buttons: [(String, TreadProtocol.Method)] = [("stop", .stop), ("pause", .pause), ("resume", .resume), ("reset", .reset)]
        for (path, method) in buttons {
            router.post("/api/\(path)") { request, _ -> EditedResponse<ButtonReply> in
                guard Self.isJSON(request) else { return Self.notJSON() }
                return await forward(method, nil, doing: path)
            }
        }
    }

    private func forward(_ method: TreadProtocol.Method, _ params: Params?, doing what: String) async -> EditedResponse<ButtonReply> {
        do {
            let result = try await link.call(method, params)
            return .init(response: ButtonReply(ok: true, message: result.message ?? what))
        } catch {
            return reply(to: error)
        }
    }

    /// A refusal the page shows: treadd's own words (409), why treadd could not be asked (503),
    /// or why its answer is unknown (502; the request may or may not have been carried out).
    private func reply(to error: any Error) -> EditedResponse<ButtonReply> {
        switch error {
        case LinkError.refused(let code, let message):
            return .init(status: .conflict, response: ButtonReply(ok: false, code: code, message: message))
        case LinkError.unreachable(let why):
            return .init(status: .serviceUnavailable, response: ButtonReply(ok: false, code: "daemon_unreachable", message: why))
        default:
            return .init(status: .badGateway, response: ButtonReply(ok: false, code: "daemon_trouble", message: "\(error)"))
        }
    }

    private static func isJSON(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true
    }

    private static func notJSON() -> EditedResponse<ButtonReply> {
        EditedResponse(
            status: .unsupportedMediaType,
            response: ButtonReply(ok: false, code: "bad_request", message: "buttons are POSTs with Content-Type: application/json"))
    }
}

struct StartBody: Decodable {
    var program: String
}

/// What a button gets back: `ok`, and treadd's message, or the refusal's code and message.
struct ButtonReply: ResponseEncodable {
    var ok: Bool
    var code: String? = nil
    var message: String
    var programs: [ProgramSummary]? = nil
}
