/// The console page: one self-contained HTML file, inline CSS and script, nothing fetched from
/// the internet (the SBC's kiosk has no network beyond the loopback). It is compiled into the
/// binary so the installed console cannot be out of step with its page.
///
/// Built to be read from a moving belt at 1-2 m: sizes follow the screen (`vmin`), so the same
/// page fits 800x480 and 1920x1080; the stop button has its own column and is never covered.
/// Elements the browser tests read carry ids and `data-` attributes (the state, not the text).
///
/// The sources are in `Page/`: index.html, with console.css and console.js inlined into it at
/// build time by the EmbedPage plugin, which declares `html` in a generated extension.
enum ConsolePage {}
