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
