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

    /// The page is built from Sources/treadconsole/Page at build time (the EmbedPage plugin):
    /// what is served is index.html with console.css and console.js inlined, byte for byte, and
    /// the kiosk is sent no link it would have to fetch. No treadd is needed to serve the page.
    @Test func theServedPageIsThePageSourcesInlined() async throws {
        let console = try ConsoleServer(socket: NSTemporaryDirectory() + "treadd-absent-\(UUID().uuidString.prefix(8)).sock")
        let folder = Binaries.packageRoot + "/Sources/treadconsole/Page/"
        func source(_ name: String) throws -> String { try String(contentsOfFile: folder + name, encoding: .utf8) }
        var expected = try source("index.html")
            .replacingOccurrences(of: #"<link rel="stylesheet" href="console.css">"#, with: "<style>\n" + source("console.css") + "</style>")
            .replacingOccurrences(of: #"<script src="console.js"></script>"#, with: "<script>\n" + source("console.js") + "</script>")
        #expect(expected.hasSuffix("</html>\n"))
        expected.removeLast()  // the page ends at </html>, as the string literal it came from did
        let (data, response) = try await URLSession.shared.data(from: URL(string: console.url)!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") == "text/html; charset=utf-8")
        #expect(data == Data(expected.utf8), "the served page (\(data.count) bytes) is not Page/ inlined (\(expected.utf8.count) bytes)")
        let page = String(decoding: data, as: UTF8.self)
        #expect(!page.contains("console.css") && !page.contains("console.js"), "nothing left for the kiosk to fetch")
    }
}
