// The walk-away guard: once a person is chosen, the tablet returns to the search (wiping every
// personal detail) when nobody touches it for the event's idle time. The last seconds are
// counted down on screen with a button to stay. Any touch, click or key restarts the wait.

const ACTIVITY = ["pointerdown", "touchstart", "keydown", "input", "wheel"];

export class IdleGuard {
  constructor({ box, count, stay, warnSeconds = 15, onTimeout }) {
    this.box = box;
    this.count = count;
    this.warnSeconds = warnSeconds;
    this.onTimeout = onTimeout;
    this.seconds = 60;
    this.deadline = null;
    this.ticker = null;
    const poke = () => this.poke();
    // Capture phase: a handler that stops propagation (the signature pad) still counts.
    for (const kind of ACTIVITY) document.addEventListener(kind, poke, { capture: true, passive: true });
    stay.addEventListener("click", poke);
  }

  get running() {
    return this.deadline !== null;
  }

  start(seconds) {
    if (seconds) this.seconds = seconds;
    this.deadline = Date.now() + this.seconds * 1000;
    this.box.classList.add("d-none");
    if (!this.ticker) this.ticker = setInterval(() => this.tick(), 250);
  }

  stop() {
    this.deadline = null;
    clearInterval(this.ticker);
    this.ticker = null;
    this.box.classList.add("d-none");
  }

  poke() {
    if (this.running) this.start();
  }

  tick() {
    if (!this.running) return;
    const left = Math.ceil((this.deadline - Date.now()) / 1000);
    if (left <= 0) {
      this.stop();
      this.onTimeout();
      return;
    }
    const warn = left <= this.warnSeconds;
    this.box.classList.toggle("d-none", !warn);
    if (warn) this.count.textContent = String(left);
  }
}
