// Store console: progressive enhancement only. Every page works without this file; with it, forms answer
// in place, the queue refreshes itself, countdowns tick, and the camera can scan. No rules live here.
"use strict";

function swapContent(html, url) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const fresh = doc.querySelector("main#content");
  if (!fresh) { document.open(); document.write(html); document.close(); return; }
  document.querySelector("main#content").replaceWith(fresh);
  document.title = doc.title;
  if (url && url !== location.href) history.pushState({}, "", url);
  const focus = fresh.querySelector("[autofocus]") || fresh.querySelector("[role=alert]") || fresh;
  focus.focus();
  start(fresh);
}

// A scanner types faster than the server answers: scans that arrive while a form is on its way wait,
// then go through the fresh form (which carries the counts so far), one by one.
let busy = false;
const waitingScans = [];

async function submitInPlace(event) {
  const form = event.target;
  if (!form.matches("form[data-enhance]")) return;
  event.preventDefault();
  const scanning = event.submitter && event.submitter.hasAttribute("data-scan-submit");
  if (scanning && !form.elements.code.value.trim()) return;
  if (busy) {
    if (scanning) waitingScans.push(form.elements.code.value);
    return;
  }
  busy = true;
  const data = new FormData(form);
  if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
  try {
    const response = await fetch(form.action, { method: "POST", body: data, credentials: "same-origin" });
    swapContent(await response.text(), response.redirected ? response.url : null);
  } finally {
    busy = false;
  }
  const next = document.querySelector("[data-scan-submit]");
  if (waitingScans.length && next) {
    next.form.elements.code.value = waitingScans.shift();
    next.form.requestSubmit(next);
  }
}

function tick(root) {
  for (const el of root.querySelectorAll("time[data-countdown]")) {
    const left = Math.round((Date.parse(el.getAttribute("datetime")) - Date.now()) / 1000);
    const s = Math.abs(left);
    const text = `${left < 0 ? "-" : ""}${Math.floor(s / 3600)}:${String(Math.floor(s % 3600 / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle("overdue", left < 0);
  }
}

let audio = null;
document.addEventListener("pointerdown", () => { audio = audio || new AudioContext(); }, { once: true });
function beep() {
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = 880; gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    osc.start(); osc.stop(audio.currentTime + 0.25);
  } catch (e) { /* no sound on this device: the banner still shows */ }
}

function newOrders(root) {
  return new Set([...root.querySelectorAll("[data-new-order]")].map((el) => el.dataset.newOrder));
}

// New orders appear without a reload: pushed by the server (server-sent events) where the browser has
// EventSource, else fetched every few seconds.
let liveEvents = null;
window.addEventListener("pagehide", () => liveEvents && liveEvents.close());
function watchQueue(live) {
  let known = newOrders(live);
  const show = (html) => {
    live.innerHTML = html;
    const now = newOrders(live);
    const arrived = [...now].filter((id) => !known.has(id));
    known = now;
    tick(live);
    if (arrived.length) {
      const alert = document.getElementById("new-order-alert");
      alert.textContent = alert.dataset.text.replace("{count}", arrived.length);
      alert.hidden = false;
      beep();
    }
  };
  if ("EventSource" in window && live.dataset.events) {
    if (liveEvents) liveEvents.close();
    liveEvents = new EventSource(live.dataset.events);
    liveEvents.addEventListener("queue", (event) => show(event.data));
    return;
  }
  setInterval(async () => {
    const response = await fetch(live.dataset.live, { credentials: "same-origin" });
    if (response.ok) show(await response.text());
  }, Number(live.dataset.every || 4000));
}

async function cameraScan(button) {
  const input = document.getElementById(button.dataset.camera);
  const video = document.createElement("video");
  video.setAttribute("playsinline", ""); video.className = "camera";
  button.after(video);
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  video.srcObject = stream; await video.play();
  const detector = new BarcodeDetector({ formats: ["ean_13", "ean_8", "code_128", "qr_code"] });
  const look = async () => {
    const [found] = await detector.detect(video);
    if (!found) { requestAnimationFrame(look); return; }
    stream.getTracks().forEach((t) => t.stop()); video.remove();
    input.value = found.rawValue;
    input.form.requestSubmit(input.form.querySelector("[data-scan-submit]"));
  };
  look();
}

// A signature drawn with a finger: kept as SVG path data (M/L commands, whole pixels of the 600×200 box)
// in the form's hidden field; the server checks its shape and size.
function signaturePad(canvas) {
  const field = document.getElementById(canvas.dataset.signature);
  const clear = canvas.parentElement.querySelector("[data-clear-signature]");
  const pen = canvas.getContext("2d");
  pen.lineWidth = 3; pen.lineCap = "round"; pen.lineJoin = "round"; pen.strokeStyle = "#1b1b1b";
  let drawing = false;
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [Math.round((event.clientX - box.left) * canvas.width / box.width),
            Math.round((event.clientY - box.top) * canvas.height / box.height)];
  };
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true; canvas.setPointerCapture(event.pointerId);
    const [x, y] = at(event);
    pen.beginPath(); pen.moveTo(x, y);
    field.value += `${field.value ? " " : ""}M${x} ${y}`;
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const [x, y] = at(event);
    pen.lineTo(x, y); pen.stroke();
    field.value += ` L${x} ${y}`;
  });
  const stop = () => { drawing = false; };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  clear.hidden = false;
  clear.addEventListener("click", () => { pen.clearRect(0, 0, canvas.width, canvas.height); field.value = ""; });
}

function start(root) {
  tick(root);
  const live = root.querySelector("[data-live]");
  if (live) watchQueue(live);
  if ("BarcodeDetector" in window) {
    for (const b of root.querySelectorAll("button[data-camera]")) {
      b.hidden = false;
      b.addEventListener("click", () => cameraScan(b));
    }
  }
  for (const canvas of root.querySelectorAll("canvas[data-signature]")) signaturePad(canvas);
  for (const b of root.querySelectorAll("button[data-print]")) {
    b.hidden = false;
    b.addEventListener("click", () => window.print());
  }
}

document.addEventListener("submit", submitInPlace);
window.addEventListener("popstate", () => location.reload());
document.addEventListener("DOMContentLoaded", () => {
  start(document);
  setInterval(() => tick(document), 1000);
});
