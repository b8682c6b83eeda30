/// The console page: one self-contained HTML file, inline CSS and script, nothing fetched from
/// the internet (the SBC's kiosk has no network beyond the loopback). It is compiled into the
/// binary so the installed console cannot be out of step with its page.
///
/// Built to be read from a moving belt at 1-2 m: sizes follow the screen (`vmin`), so the same
/// page fits 800x480 and 1920x1080; the stop button has its own column and is never covered.
/// Elements the browser tests read carry ids and `data-` attributes (the state, not the text).
enum ConsolePage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Treadmill console</title>
<style>
:root { --bg:#0b0f14; --panel:#151c25; --text:#f2f5f8; --dim:#8a97a6; --ok:#2ecc71; --warn:#ffb020; --bad:#ff3b30; --accent:#4aa3ff;
        font-size: clamp(11px, calc(2.1vmin + 0.55vmax), 44px); }
* { box-sizing: border-box; }
html, body { margin:0; height:100%; background:var(--bg); color:var(--text); font-family: "DejaVu Sans", "Liberation Sans", system-ui, sans-serif; overflow:hidden; }
body { display:grid; grid-template-columns: 1fr 22vw; }
#main { position:relative; display:grid; grid-template-rows: auto 1fr auto auto; gap:0.5rem; padding:0.6rem; min-width:0; }
#stopcol { display:flex; padding:0.6rem 0.6rem 0.6rem 0; }
#btn-stop { flex:1; border:0.3rem solid #fff3; border-radius:1rem; background:var(--bad); color:#fff; font-size:3rem; font-weight:900; letter-spacing:0.05em; cursor:pointer; }
#btn-stop:active { background:#b3261e; }
.banner { padding:0.4rem 0.8rem; border-radius:0.5rem; font-size:1.1rem; font-weight:700; }
/* Rows are fixed per element: the link banner leaves row 1 empty when hidden, and the others keep their rows. */
#link { grid-row:1; } #top { grid-row:2; } #bottom { grid-row:3; } #buttons { grid-row:4; }
#link[data-state="up"] { display:none; }
#link[data-state="down"] { background:var(--warn); color:#000; }
#top { display:grid; grid-template-columns: auto 1fr; gap:0.8rem; min-height:0; }
#arrowbox { display:flex; flex-direction:column; align-items:center; justify-content:center; background:var(--panel); border-radius:0.8rem; padding:0.4rem 1rem; }
#arrow { width:8rem; height:8rem; transition: transform 0.3s; }
#arrow[data-direction="reverse"] { transform: rotate(180deg); }
#arrow[data-direction="none"] polygon { fill: var(--dim); }
#arrow polygon { fill: var(--accent); }
#arrow[data-direction="reverse"] polygon { fill: var(--warn); }
#dirword { font-size:1.3rem; font-weight:800; margin-top:0.3rem; text-align:center; }
#figures { display:grid; grid-template-columns: 1fr 1fr; gap:0.5rem; }
.fig { background:var(--panel); border-radius:0.8rem; padding:0.3rem 0.7rem; min-width:0; }
.fig .label { color:var(--dim); font-size:0.9rem; }
.fig .value { font-size:2.6rem; font-weight:800; font-variant-numeric: tabular-nums; line-height:1.1; white-space:nowrap; }
.fig .sub { color:var(--dim); font-size:0.9rem; }
#nextbox { grid-column: 1 / span 2; }
#next { font-size:1.5rem; font-weight:700; }
#notice { color:var(--warn); font-size:1.1rem; font-weight:700; min-height:1.3rem; }
#bottom { display:flex; gap:0.5rem; align-items:stretch; flex-wrap:wrap; }
.rail { padding:0.3rem 0.7rem; border-radius:0.5rem; font-weight:800; font-size:1.1rem; }
.rail[data-state="held"] { background:#1f5132; }
.rail[data-state="released"] { background:var(--bad); }
#estimates { background:var(--panel); border-radius:0.5rem; padding:0.2rem 0.7rem; font-size:1rem; }
#estimates .label { color:var(--dim); }
#buttons { display:flex; gap:0.5rem; }
#buttons button, #programs button { font-size:1.3rem; font-weight:800; padding:0.5rem 1.1rem; border-radius:0.6rem; border:0; background:var(--accent); color:#00131f; cursor:pointer; }
#buttons button:disabled { background:#2a3440; color:#5d6b7a; }
#refusal { position:absolute; left:0.6rem; right:0.6rem; bottom:4.2rem; z-index:30; }
#refusal[data-kind="refused"] { background:var(--bad); color:#fff; }
#refusal[data-kind="ok"] { background:var(--ok); color:#00210d; }
/* Overlays cover the figures (grid rows 1-3) but never the buttons row, so Pause, Resume and
   Reset stay usable under a countdown, a rail warning or a fault. */
.overlay { position:absolute; grid-row: 1 / 4; grid-column: 1; inset:0; border-radius:1rem; display:flex; flex-direction:column; align-items:center; justify-content:center; text-align:center; z-index:10; padding:1rem; }
#countdown { background:#0b0f14e6; border:0.3rem solid var(--warn); }
#countdown .big { font-size:9rem; font-weight:900; line-height:1; color:var(--warn); font-variant-numeric: tabular-nums; }
#countdown .what { font-size:2.2rem; font-weight:800; }
#countdown .sub { font-size:1.4rem; }
#railwarn { background:var(--bad); z-index:20; animation: flash 0.6s steps(2, start) infinite; }
#railwarn .what { font-size:4rem; font-weight:900; }
#railwarn .sub { font-size:1.5rem; font-weight:700; }
@keyframes flash { to { background:#7a0d08; } }
#fault { background:#2b0d0b; border:0.3rem solid var(--bad); z-index:25; }
#fault .what { font-size:2.6rem; font-weight:900; color:#ff7a70; }
#fault .todo { font-size:1.7rem; font-weight:700; margin-top:0.6rem; }
#fault .detail { font-size:1rem; color:var(--dim); margin-top:0.6rem; }
#programs { grid-row: 1 / 5; background:#0b0f14f2; z-index:40; overflow:auto; justify-content:flex-start; }
#programs .list { display:flex; flex-direction:column; gap:0.5rem; width:100%; }
#programs .list button { text-align:left; }
#programs .list .meta { font-size:0.9rem; font-weight:400; display:block; }
[hidden] { display:none !important; }
</style>
</head>
<body>
<div id="main">
  <div id="link" class="banner" data-state="down">Connecting to the treadmill…</div>
  <div id="top">
    <div id="arrowbox">
      <svg id="arrow" viewBox="0 0 100 100" data-direction="none" aria-label="belt direction"><polygon points="50,4 94,52 66,52 66,96 34,96 34,52 6,52"/></svg>
      <div id="dirword">STOPPED</div>
    </div>
    <div id="figures">
      <div class="fig"><div class="label">Speed</div><div class="value" id="speed">–</div><div class="sub" id="target"></div></div>
      <div class="fig"><div class="label">Segment left</div><div class="value" id="segment-left">–</div><div class="sub" id="segment-of"></div></div>
      <div class="fig"><div class="label">Session left</div><div class="value" id="session-left">–</div><div class="sub" id="program"></div></div>
      <div class="fig"><div class="label">State</div><div class="value" id="state" style="font-size:1.8rem">–</div><div class="sub" id="notice"></div></div>
      <div class="fig" id="nextbox"><div class="label">Next</div><div id="next">–</div></div>
    </div>
  </div>
  <div id="bottom">
    <div class="rail" id="rail-left" data-state="unknown">Left rail –</div>
    <div class="rail" id="rail-right" data-state="unknown">Right rail –</div>
    <div id="estimates" hidden><span class="label">Estimates: </span><span id="distance"></span> <span id="energy"></span></div>
  </div>
  <div id="buttons">
    <button id="btn-start">Start program</button>
    <button id="btn-pause">Pause</button>
    <button id="btn-resume">Resume</button>
    <button id="btn-reset" hidden>Reset</button>
  </div>
  <div id="refusal" class="banner" hidden></div>
  <div id="countdown" class="overlay" hidden><div class="what" id="countdown-what"></div><div class="big" id="countdown-n"></div><div class="sub" id="countdown-sub"></div></div>
  <div id="railwarn" class="overlay" hidden><div class="what">HOLD THE RAILS</div><div class="sub" id="railwarn-sub"></div></div>
  <div id="fault" class="overlay" hidden><div class="what" id="fault-what"></div><div class="todo" id="fault-todo"></div><div class="detail" id="fault-detail"></div></div>
  <div id="programs" class="overlay" hidden><div class="what" style="font-size:1.6rem;font-weight:800;margin-bottom:0.5rem">Choose a program</div><div class="list" id="program-list"></div><div id="buttons-cancel" style="margin-top:0.6rem"><button id="btn-cancel">Cancel</button></div></div>
</div>
<div id="stopcol"><button id="btn-stop">STOP</button></div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
// What the page knows: the console's link to treadd, treadd's latest status, and whether
// this page still hears from the console at all.
let link = { up: false, message: "connecting to treadd" };
let status = null;
let lastMessageAt = 0;
let consoleReachable = false;
let lastEvent = null;
let refusalTimer = null;

// Faults in plain words, and what the member should do (treadd's own message is shown below).
const FAULTS = {
  estop: ["Emergency stop pressed", "Release the emergency stop, then press Reset."],
  safety_key: ["Safety key pulled", "Put the safety key back, then press Reset."],
  drive_offline: ["The motor drive is not answering", "Step off the belt carefully and call staff."],
  drive_fault: ["The motor drive reported a fault", "Step off the belt carefully and call staff."],
  wrong_direction: ["The belt moved the wrong way", "Step off the belt carefully and call staff."],
  drive_not_stopping: ["The belt did not stop when told to", "Hold the rails, step off, press the emergency stop and call staff."],
  sensor: ["A safety sensor cannot be trusted", "Step off the belt carefully and call staff."],
};
const WORD = { forward: "FORWARD", reverse: "BACKWARDS", none: "STOPPED" };

function clock(s) {
  if (s === null || s === undefined || !isFinite(s)) return "–";
  s = Math.max(0, Math.ceil(s));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}
function num(v) { return typeof v === "number" && isFinite(v) ? v : null; }

function connect() {
  const source = new EventSource("/events");
  source.onopen = () => { consoleReachable = true; };
  source.onmessage = (e) => {
    consoleReachable = true;
    lastMessageAt = Date.now();
    const m = JSON.parse(e.data);
    link = m.link;
    const line = m.line;
    if (!link.up) { status = null; }
    if (line) {
      const s = line.status || (line.result && line.result.status);
      if (s) status = s;
      if (line.event && line.event !== "progress") lastEvent = { name: line.event, message: line.message || null, at: Date.now() };
    }
    render();
  };
  // EventSource reconnects by itself (the console asks for one second); the page says so meanwhile.
  source.onerror = () => { consoleReachable = false; render(); };
}

function render() {
  const stale = Date.now() - lastMessageAt > 3000;
  const linkBox = $("link");
  if (!consoleReachable || stale) {
    linkBox.dataset.state = "down";
    linkBox.textContent = "This screen has lost the console service. Reconnecting… Use the emergency stop if needed.";
  } else if (!link.up) {
    linkBox.dataset.state = "down";
    linkBox.textContent = "Treadmill controller not connected: " + (link.message || "reconnecting") + ". Use the emergency stop if needed.";
  } else {
    linkBox.dataset.state = "up";
    linkBox.textContent = "";
  }
  const live = consoleReachable && !stale && link.up && status;
  const s = live ? status : null;
  document.body.dataset.state = s ? s.state : "unknown";

  const dir = s ? s.direction : "none";
  $("arrow").dataset.direction = dir;
  $("dirword").textContent = WORD[dir] || dir;
  $("speed").textContent = s && s.belt_speed_kmh != null ? s.belt_speed_kmh.toFixed(1) + " km/h" : "–";
  $("target").textContent = s && s.state !== "idle" ? "target " + s.target_speed_kmh.toFixed(1) + " km/h" : "";
  $("segment-left").textContent = s ? clock(s.segment_remaining_s) : "–";
  $("segment-of").textContent = s && s.segment_index ? "segment " + s.segment_index + " of " + s.segment_count : "";
  $("session-left").textContent = s && s.state !== "idle" ? clock(s.remaining_s) : "–";
  $("program").textContent = s && s.program_title ? s.program_title : "";
  $("state").textContent = s ? s.state.toUpperCase() + (s.pause_reason ? " (" + s.pause_reason.replace(/_/g, " ") + ")" : "") : "–";
  $("notice").textContent = s && s.notice ? s.notice : "";
  renderNext(s);
  renderRails(s);
  renderEstimates(s);
  renderCountdown(s);
  renderRailWarning(s);
  renderFault(s);
  renderButtons(s);
}

function renderNext(s) {
  const box = $("next");
  if (!s || s.state === "idle") { box.textContent = "–"; box.dataset.direction = ""; return; }
  if (!s.next) { box.textContent = "Last segment"; box.dataset.direction = ""; return; }
  const n = s.next;
  let text = (n.direction === "reverse" ? "reverse" : "forward") + " in " + clock(n.in_s) + " at " + n.speed_kmh.toFixed(1) + " km/h";
  if (n.direction === "reverse") text += ", hold the rails";
  box.textContent = text;
  box.dataset.direction = n.direction;
}

function renderRails(s) {
  for (const side of ["left", "right"]) {
    const el = $("rail-" + side);
    const v = s ? s.rails[side] : "unknown";
    el.dataset.state = v;
    el.textContent = (side === "left" ? "Left rail " : "Right rail ") + (v === "unknown" ? "–" : v);
  }
}

// Energy and distance come from treadd only when it estimates them; absent, the panel hides.
function renderEstimates(s) {
  const km = s ? [num(s.distance_forward_m), num(s.distance_reverse_m)] : [null, null];
  const kcal = s ? num(s.energy_kcal_estimate) : null;
  const hasDistance = km[0] !== null || km[1] !== null;
  $("estimates").hidden = !(hasDistance || kcal !== null);
  $("distance").textContent = hasDistance ? (((km[0] || 0) + (km[1] || 0)) / 1000).toFixed(2) + " km (" + ((km[1] || 0) / 1000).toFixed(2) + " backwards)" : "";
  $("energy").textContent = kcal !== null ? "· " + Math.round(kcal) + " kcal" : "";
}

// A direction change is announced before it happens (from `next`) and shown while under way
// (the segment's direction differs from the belt's, or the belt is stopping for the change).
function renderCountdown(s) {
  const box = $("countdown");
  let show = false, what = "", n = "", sub = "";
  if (s && s.state === "running") {
    const current = s.segment_direction || s.direction;
    const changing = s.segment_direction && s.direction !== "none" && s.segment_direction !== s.direction;
    const settling = ["awaiting_zero", "dwelling"].includes(s.phase) && s.segment_direction;
    if (changing || settling) {
      show = true;
      what = "Changing to " + WORD[s.segment_direction];
      n = s.phase === "dwelling" ? "GET READY" : "STOPPING";
      sub = s.segment_direction === "reverse" ? "Hold both rails" : "Face forward";
      box.dataset.phase = "changing";
    } else if (s.next && s.next.direction !== current && s.next.in_s <= 10) {
      show = true;
      what = (s.next.direction === "reverse" ? "Walking backwards" : "Walking forward") + " in";
      n = String(Math.max(0, Math.ceil(s.next.in_s)));
      sub = s.next.direction === "reverse" ? "The belt stops, then reverses: hold the rails" : "The belt stops, then runs forward";
      box.dataset.phase = "announced";
    }
  }
  box.hidden = !show;
  if (!show) { box.dataset.phase = ""; return; }
  box.dataset.to = s.next && box.dataset.phase === "announced" ? s.next.direction : s.segment_direction;
  $("countdown-what").textContent = what;
  $("countdown-n").textContent = n;
  $("countdown-sub").textContent = sub;
}

// The loud warning: a rail let go while the belt runs (or is about to run) backwards.
function renderRailWarning(s) {
  const box = $("railwarn");
  let show = false;
  if (s && s.state !== "idle" && s.state !== "fault") {
    const released = s.rails.left !== "held" || s.rails.right !== "held";
    const reverse = s.direction === "reverse" || s.segment_direction === "reverse";
    show = released && (reverse || s.pause_reason === "rails_released");
  }
  box.hidden = !show;
  if (!show) return;
  if (s.state === "paused") {
    $("railwarn-sub").textContent = "The belt stopped. Hold both rails, then press Resume.";
  } else if (lastEvent && lastEvent.name === "rail_warning" && lastEvent.message && Date.now() - lastEvent.at < 5000) {
    $("railwarn-sub").textContent = lastEvent.message;
  } else {
    $("railwarn-sub").textContent = "Hold both rails: the belt stops if you let go while walking backwards.";
  }
}

function renderFault(s) {
  const box = $("fault");
  const f = s && s.fault;
  box.hidden = !f;
  box.dataset.code = f ? f.code : "";
  if (!f) return;
  const words = FAULTS[f.code] || ["The treadmill stopped with a fault", "Step off the belt carefully and call staff."];
  $("fault-what").textContent = "Stopped: " + words[0];
  $("fault-todo").textContent = words[1];
  $("fault-detail").textContent = "Controller says: " + f.message;
}

function renderButtons(s) {
  const state = s ? s.state : null;
  $("btn-start").disabled = state !== "idle";
  $("btn-pause").disabled = state !== "running";
  $("btn-resume").disabled = state !== "paused";
  $("btn-reset").hidden = state !== "fault";
  // Stop is never disabled: pressed without a connection, it is refused on screen, not ignored.
}

function showReply(kind, text, code) {
  const box = $("refusal");
  box.dataset.kind = kind;
  box.dataset.code = code || "";
  box.textContent = text;
  box.hidden = false;
  clearTimeout(refusalTimer);
  refusalTimer = setTimeout(() => { box.hidden = true; }, kind === "ok" ? 3000 : 10000);
}

async function press(action, body) {
  let reply;
  try {
    const r = await fetch("/api/" + action, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
    reply = await r.json();
  } catch (e) {
    reply = { ok: false, code: "console_unreachable", message: "this screen cannot reach the console service" };
  }
  if (reply.ok) { showReply("ok", reply.message); return; }
  const label = action.charAt(0).toUpperCase() + action.slice(1);
  let text;
  if (reply.code === "daemon_unreachable" || reply.code === "console_unreachable") {
    text = action.toUpperCase() + " NOT SENT: " + reply.message + ".";
  } else if (reply.code === "daemon_trouble") {
    text = action.toUpperCase() + " NOT CONFIRMED: " + reply.message + ".";
  } else {
    text = label + " refused: " + reply.message;
  }
  if (action === "stop" && !reply.code.startsWith("not_")) text += " Use the red emergency stop on the treadmill.";
  showReply("refused", text, reply.code);
}

async function choose() {
  const list = $("program-list");
  list.textContent = "Loading…";
  $("programs").hidden = false;
  let reply;
  try { reply = await (await fetch("/api/programs")).json(); }
  catch (e) { reply = { ok: false, message: "this screen cannot reach the console service" }; }
  list.textContent = "";
  if (!reply.ok) { list.textContent = "Programs not available: " + reply.message; return; }
  for (const p of reply.programs) {
    const b = document.createElement("button");
    b.dataset.program = p.name;
    b.textContent = p.title;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = clock(p.duration_s) + " · " + Math.round(p.reverse_share * 100) + "% backwards · " + p.segments + " segments";
    b.appendChild(meta);
    b.onclick = () => { $("programs").hidden = true; press("start", { program: p.name }); };
    list.appendChild(b);
  }
}

$("btn-stop").onclick = () => press("stop");
$("btn-pause").onclick = () => press("pause");
$("btn-resume").onclick = () => press("resume");
$("btn-reset").onclick = () => press("reset");
$("btn-start").onclick = () => choose();
$("btn-cancel").onclick = () => { $("programs").hidden = true; };
setInterval(render, 500);
connect();
render();
</script>
</body>
</html>
"""#
}
