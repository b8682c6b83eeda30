import Foundation
import Testing
import TreadProtocol

/// treadconsole in a real browser: headless Chromium loads the page from a running
/// treadconsole, fed by a real treadd + treadsim, and the tests read the DOM and take
/// screenshots at the two screen sizes the console must fit (kept as artifacts of the run).
@Suite(.serialized)
struct ConsoleTests {
    /// Forward long enough for the page to load and show the whole announced countdown, then
    /// a long reverse stretch for the rail scenario.
    static let program = """
        title = "console: forward, then backwards"
        [[steps]]
        direction = "forward"
        speed_kmh = 2.0
        duration = "14s"
        [[steps]]
        direction = "reverse"
        speed_kmh = 2.0
        duration = "60s"
        [[steps]]
        direction = "forward"
        speed_kmh = 1.5
        duration = "2s"
        """

    static let sizes = [(800, 480), (1920, 1080)]

    /// Screenshots at both sizes, each checked for fit: no scrolling, and the stop button and
    /// `also` (the element the step is about) inside the screen.
    static func capture(_ page: BrowserPage, _ name: String, also selector: String, into shots: inout [String]) async throws {
        let folder = try ConsoleArtifacts.folder()
        for (w, h) in sizes {
            shots.append(try await page.screenshot(name, width: w, height: h, into: folder))
            let fit = try await page.evaluate("""
                (() => {
                  const inside = (sel) => { const e = document.querySelector(sel); if (!e) return sel + ' absent';
                    const r = e.getBoundingClientRect();
                    return (r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight) ? '' : sel + ' outside ' + JSON.stringify(r); };
                  const problems = [inside('#btn-stop'), inside(\(BrowserPage.quoted(selector)))].filter(x => x);
                  if (document.documentElement.scrollWidth > innerWidth || document.documentElement.scrollHeight > innerHeight) problems.push('page scrolls');
                  return innerWidth + 'x' + innerHeight + (problems.length ? ': ' + problems.join('; ') : '');
                })()
                """) as? String
            #expect(fit == "\(w)x\(h)", "\(name) at \(w)x\(h): \(fit ?? "?")")
        }
        try await page.resize(width: 800, height: 480)
    }

    @Test func pageFollowsTheSessionCountdownRailWarningAndFault() async throws {
        let rig = try TestRig(programs: ["console": Self.program])
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        _ = try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let console = try ConsoleServer(socket: rig.socket)
        let browser = try Browser()
        let page = try await browser.open(console.url)
        var shots: [String] = []

        try await page.waitFor("idle, connected", "document.getElementById('link').dataset.state === 'up' && document.body.dataset.state === 'idle' ? 'yes' : ''")
        #expect(try await page.evaluate("document.getElementById('estimates').hidden") as? Bool == true,
                "no estimates in this treadd's status, so the panel is hidden")

        // Start from the page's program list: treadd applies its own checks to the request.
        try await page.click("#btn-start")
        try await page.waitFor("the program list", "document.querySelector('[data-program=\"console\"]') ? 'yes' : ''")
        try await page.click("[data-program=\"console\"]")
        try await page.waitFor("running forward", "document.body.dataset.state === 'running' && document.getElementById('arrow').dataset.direction === 'forward' ? 'yes' : ''")
        let next = try await page.visibleText("#next")
        #expect(next.contains("reverse in") && next.contains("hold the rails"), "next segment: \(next)")
        try await Self.capture(page, "running-forward", also: "#arrow", into: &shots)

        // The announced countdown before the change to reverse.
        let count = try await page.waitFor("direction change countdown", """
            (() => { const c = document.getElementById('countdown');
              return !c.hidden && c.dataset.phase === 'announced' && c.dataset.to === 'reverse' ? document.getElementById('countdown-n').textContent : '' })()
            """)
        let seconds = try #require(Int(count), "countdown shows a number: \(count)")
        #expect((1...10).contains(seconds))
        let later = try await page.waitFor("countdown counting down", """
            (() => { const n = document.getElementById('countdown-n').textContent; return n !== \(BrowserPage.quoted(count)) ? n : '' })()
            """)
        #expect(Int(later).map { $0 < seconds } ?? (later == "STOPPING" || later == "GET READY"), "countdown went \(count) -> \(later)")
        try await Self.capture(page, "countdown", also: "#countdown", into: &shots)
        let pauseOnTop = try await page.evaluate("""
            (() => { const b = document.getElementById('btn-pause'), r = b.getBoundingClientRect();
              return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === b })()
            """) as? Bool
        #expect(pauseOnTop == true, "Pause stays usable while the countdown shows")

        // Backwards: the arrow turns once the belt runs in reverse.
        try events.awaitStatus("belt up to speed in reverse") { $0.direction == "reverse" && ($0.beltSpeedKmh ?? -1) >= 1.9 }
        try await page.waitFor("reverse arrow", "document.getElementById('arrow').dataset.direction === 'reverse' && document.getElementById('countdown').hidden ? 'yes' : ''")
        try await Self.capture(page, "running-reverse", also: "#arrow", into: &shots)
        // In a session treadd reports the distance (energy needs a member's mass): shown, labelled.
        let estimates = try await page.waitFor("distance estimate shown", "(() => { const e = document.getElementById('estimates'); return e.hidden ? '' : e.innerText })()")
        #expect(estimates.contains("Estimates") && estimates.contains("km"), "estimates: \(estimates)")

        // A rail let go in reverse: the loud warning, then the pause it leads to.
        _ = try rig.ctlChecked("sim", "set", "rail_left=released")
        try await page.waitFor("rail warning", "!document.getElementById('railwarn').hidden && document.getElementById('rail-left').dataset.state === 'released' ? 'yes' : ''")
        try await Self.capture(page, "rail-warning", also: "#railwarn", into: &shots)
        let pausedText = try await page.waitFor("paused, told to hold and resume", """
            document.body.dataset.state === 'paused' && !document.getElementById('railwarn').hidden ? document.getElementById('railwarn-sub').textContent : ''
            """)
        #expect(pausedText.contains("press Resume"))
        _ = try rig.ctlChecked("sim", "set", "rail_left=held")
        try await page.waitFor("warning gone once held", "document.getElementById('railwarn').hidden ? 'yes' : ''")
        try await page.click("#btn-resume")
        try events.awaitStatus("running in reverse again") { $0.state == "running" && $0.direction == "reverse" && ($0.beltSpeedKmh ?? -1) > 0.5 }

        // A fault, in plain words with what to do.
        _ = try rig.ctlChecked("sim", "set", "estop=open")
        let fault = try await page.waitFor("fault message", "document.getElementById('fault').dataset.code === 'estop' ? document.getElementById('fault').innerText : ''")
        #expect(fault.contains("Emergency stop pressed"))
        #expect(fault.contains("Release the emergency stop, then press Reset"))
        try await Self.capture(page, "fault", also: "#fault", into: &shots)

        // Reset from the page: refused by treadd while the cause persists, shown; then accepted.
        try await page.click("#btn-reset")
        let refusal = try await page.waitFor("reset refused", "(() => { const r = document.getElementById('refusal'); return !r.hidden && r.dataset.kind === 'refused' ? r.textContent : '' })()")
        #expect(refusal.contains("cause persists"), "refusal: \(refusal)")
        _ = try rig.ctlChecked("sim", "set", "estop=closed")
        try await page.click("#btn-reset")
        try await page.waitFor("idle after reset", "document.body.dataset.state === 'idle' && document.getElementById('fault').hidden ? 'yes' : ''")

        #expect(browser.devtools.pageExceptions.isEmpty, "page script errors: \(browser.devtools.pageExceptions)")
        print("console screenshots:\n" + shots.joined(separator: "\n"))
    }

    @Test func pageSaysWhenTreaddIsDownRefusesStopVisiblyAndReconnects() async throws {
        // Only the link matters here, not the drive: any status from treadd counts as connected.
        let rig = try TestRig()
        let console = try ConsoleServer(socket: rig.socket)
        let browser = try Browser()
        let page = try await browser.open(console.url)
        var shots: [String] = []
        let connected = "document.getElementById('link').dataset.state === 'up' && document.body.dataset.state !== 'unknown' ? document.body.dataset.state : ''"
        try await page.waitFor("connected", connected)

        rig.daemon.terminate()
        let banner = try await page.waitFor("treadd down banner", "document.getElementById('link').dataset.state === 'down' ? document.getElementById('link').textContent : ''")
        #expect(banner.contains("not connected"), "banner: \(banner)")

        // Stop pressed with no treadd: refused on screen, with what to do instead.
        try await page.click("#btn-stop")
        let refusal = try await page.waitFor("stop refused", "(() => { const r = document.getElementById('refusal'); return !r.hidden && r.dataset.kind === 'refused' ? r.dataset.code + ': ' + r.textContent : '' })()")
        #expect(refusal.hasPrefix("daemon_unreachable: STOP NOT SENT"), "refusal: \(refusal)")
        #expect(refusal.contains("emergency stop"))
        try await Self.capture(page, "treadd-down-stop-refused", also: "#refusal", into: &shots)
        #expect(try await page.evaluate("document.getElementById('btn-start').disabled") as? Bool == true, "no start while treadd is down")

        // treadd comes back (idle, as a restarted daemon always is): the page reconnects by itself.
        try rig.restartDaemon()
        let state = try await page.waitFor("reconnected", connected)
        #expect(state == "idle" || state == "fault", "a restarted treadd starts idle (or faulted, if its drive is not answering), never running: \(state)")
        #expect(browser.devtools.pageExceptions.isEmpty, "page script errors: \(browser.devtools.pageExceptions)")
        print("console screenshots:\n" + shots.joined(separator: "\n"))
    }

    @Test func pageSaysWhenTheConsoleIsGoneAndReconnectsWhenItIsBack() async throws {
        let rig = try TestRig()
        var console = try ConsoleServer(socket: rig.socket)
        let browser = try Browser()
        let page = try await browser.open(console.url)
        let connected = "document.getElementById('link').dataset.state === 'up' && document.body.dataset.state !== 'unknown' ? document.body.dataset.state : ''"
        try await page.waitFor("connected", connected)

        let port = console.port
        console.process.terminate(grace: 5)
        let banner = try await page.waitFor("console gone banner", "document.getElementById('link').dataset.state === 'down' ? document.getElementById('link').textContent : ''")
        #expect(banner.contains("lost the console service"), "banner: \(banner)")
        #expect(try await page.evaluate("document.getElementById('speed').textContent") as? String == "–", "no stale figures while nothing is known")

        try await page.click("#btn-stop")
        let refusal = try await page.waitFor("stop refused", "(() => { const r = document.getElementById('refusal'); return !r.hidden && r.dataset.kind === 'refused' ? r.dataset.code + ': ' + r.textContent : '' })()")
        #expect(refusal.hasPrefix("console_unreachable: STOP NOT SENT"), "refusal: \(refusal)")

        console = try ConsoleServer(socket: rig.socket, port: port)
        try await page.waitFor("reconnected to the restarted console", connected)
        #expect(browser.devtools.pageExceptions.isEmpty, "page script errors: \(browser.devtools.pageExceptions)")
    }
}
