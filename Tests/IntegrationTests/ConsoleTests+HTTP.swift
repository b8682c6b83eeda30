import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// treadconsole's HTTP surface without a browser: what a button needs to be accepted. Part of
/// the serialized ConsoleTests suite, so the console tests never run two rigs at once.
extension ConsoleTests {
    private func post(_ url: String, contentType: String?, body: String = "{}") async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, obj)
    }

    @Test func buttonsNeedJSONAndStartTakesOnlyAProgramName() async throws {
        let rig = try TestRig()
        let console = try ConsoleServer(socket: rig.socket)

        // A plain form post (what another site could send without a CORS preflight) is refused.
        let (formCode, form) = try await post(console.url + "api/stop", contentType: "application/x-www-form-urlencoded")
        #expect(formCode == 415)
        #expect(form["ok"] as? Bool == false)

        // A path instead of a program name is refused before treadd is asked.
        let (pathCode, path) = try await post(console.url + "api/start", contentType: "application/json", body: #"{"program":"/etc/passwd"}"#)
        #expect(pathCode == 400, "\(path)")

        // treadd's own refusal comes back with its code: an unknown program.
        let (unknownCode, unknown) = try await post(console.url + "api/start", contentType: "application/json", body: #"{"program":"no-such-program"}"#)
        #expect(unknownCode == 409)
        #expect(unknown["code"] as? String == "unknown_program", "\(unknown)")

        // The list the page offers is treadd's.
        let (data, _) = try await URLSession.shared.data(from: URL(string: console.url + "api/programs")!)
        let programs = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["programs"] as? [[String: Any]] ?? []
        #expect(Set(programs.compactMap { $0["name"] as? String }) == ["short", "long-reverse"])
    }
}
