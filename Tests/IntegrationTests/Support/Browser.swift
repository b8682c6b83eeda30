import Foundation

/// Headless Chromium (Debian's `chromium` package), driven over the DevTools protocol.
/// Each browser has a profile folder of its own and is ended with the object.
final class Browser {
    static let executable = "/usr/bin/chromium"

    let process: ManagedProcess
    let devtools: DevTools
    private let profile: String

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw TestFailure.failed("\(Self.executable) is missing: install Debian's chromium (scripts/install-deps.sh)")
        }
        profile = NSTemporaryDirectory() + "treadconsole-chromium-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        process = try ManagedProcess(Self.executable, [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update",
            "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=\(profile)",
            "--window-size=800,480", "about:blank",
        ])
        let line = try process.waitForLine(timeout: 60, "chromium's DevTools address") { $0.contains("DevTools listening on ws://") }.line
        guard let range = line.range(of: "ws://") else { throw TestFailure.failed("no DevTools address in: \(line)") }
        devtools = DevTools(url: String(line[range.lowerBound...]).trimmingCharacters(in: .whitespaces))
    }

    deinit {
        process.terminate(grace: 5)
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// Opens `url` in a new tab and attaches to it.
    func open(_ url: String, width: Int = 800, height: Int = 480) async throws -> BrowserPage {
        let target = try await devtools.send("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"] as? String else { throw TestFailure.failed("no targetId: \(target)") }
        let attached = try await devtools.send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw TestFailure.failed("no sessionId: \(attached)") }
        let page = BrowserPage(devtools: devtools, session: session)
        try await devtools.send("Runtime.enable", session: session)
        try await devtools.send("Page.enable", session: session)
        try await page.resize(width: width, height: height)
        let navigated = try await devtools.send("Page.navigate", ["url": url], session: session)
        if let error = navigated["errorText"] as? String { throw TestFailure.failed("cannot load \(url): \(error)") }
        return page
    }
}

/// One tab: evaluate script, wait for the DOM to show a state, click, take screenshots.
struct BrowserPage {
    let devtools: DevTools
    let session: String

    /// Evaluates a JavaScript expression and returns its value (JSON-compatible values only).
    func evaluate(_ expression: String) async throws -> Any? {
        let r = try await devtools.send("Runtime.evaluate", ["expression": expression, "returnByValue": true], session: session)
        if let details = r["exceptionDetails"] as? [String: Any] {
            throw TestFailure.failed("script failed: \(expression.prefix(80)): \(details["text"] ?? details)")
        }
        return (r["result"] as? [String: Any])?["value"]
    }

    /// Polls `expression` until it returns a non-empty string, and returns it. The DOM is the
    /// page's state, so polling it with a deadline is waiting for a state, not for time.
    @discardableResult
    func waitFor(_ what: String, timeout: Double = 30, _ expression: String) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last: Any? = nil
        while Date() < deadline {
            last = try? await evaluate(expression)
            if let s = last as? String, !s.isEmpty { return s }
            try await Task.sleep(for: .milliseconds(100))
        }
        let body = (try? await evaluate("location.href + ' (' + document.readyState + '):\\n' + (document.getElementById('main') ? document.getElementById('main').innerText : document.body.innerText)")) as? String ?? "?"
        throw TestFailure.timeout("page: \(what) (last value: \(String(describing: last))); page text:\n\(body)")
    }

    /// The text of a visible element, or "" while it is hidden or absent.
    func visibleText(_ selector: String) async throws -> String {
        try await evaluate("(() => { const e = document.querySelector(\(Self.quoted(selector))); return e && !e.hidden && e.offsetParent !== null ? e.innerText : '' })()") as? String ?? ""
    }

    func click(_ selector: String) async throws {
        let ok = try await evaluate("(() => { const e = document.querySelector(\(Self.quoted(selector))); if (!e || e.disabled) return false; e.click(); return true })()") as? Bool
        guard ok == true else { throw TestFailure.failed("cannot click \(selector): absent or disabled") }
    }

    func resize(width: Int, height: Int) async throws {
        try await devtools.send("Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false], session: session)
    }

    /// Takes a PNG of the page at `width`x`height` into `folder`; returns the file's path.
    func screenshot(_ name: String, width: Int, height: Int, into folder: String) async throws -> String {
        try await resize(width: width, height: height)
        let r = try await devtools.send("Page.captureScreenshot", ["format": "png"], session: session)
        guard let b64 = r["data"] as? String, let data = Data(base64Encoded: b64) else { throw TestFailure.failed("no screenshot data") }
        let path = "\(folder)/\(name)-\(width)x\(height).png"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func quoted(_ s: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [s]), as: UTF8.self).dropFirst().dropLast().description
    }
}
