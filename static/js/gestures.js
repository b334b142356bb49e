// Touch gestures for the lightbox, on pointer events: swipe sideways to the
// neighbouring photo, down to close, pinch to zoom, drag a zoomed photo to
// look around.
// The stage has touch-action: none (imagerepo.css), so the browser hands
// these gestures to us instead of scrolling or zooming the page. A mouse
// keeps its clicks; the buttons and arrow keys do the same things.

// A shorter sideways move is a tap or a wobble, not a swipe.
const SWIPE_DISTANCE = 50;
const MAX_SCALE = 4;

const distance = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
const midpoint = (a, b) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

export class Gestures {
  /** onSwipe(direction): +1 for the next photo (a swipe to the left), -1 back;
   *  onDismiss(): a swipe down, as a phone's photo viewers close. */
  constructor(stage, image, onSwipe, onDismiss) {
    this.stage = stage;
    this.image = image;
    this.onSwipe = onSwipe;
    this.onDismiss = onDismiss;
    this.pointers = new Map();
    this.reset();
    stage.addEventListener("pointerdown", (event) => this.down(event));
    stage.addEventListener("pointermove", (event) => this.move(event));
    stage.addEventListener("pointerup", (event) => this.up(event, true));
    stage.addEventListener("pointercancel", (event) => this.up(event, false));
  }

  /** Back to the whole photo, unmoved. */
  reset() {
    this.pointers.clear();
    this.scale = 1;
    this.x = 0;
    this.y = 0;
    this.pinched = false;
    this.apply();
  }

  apply() {
    // CSSOM, not a style attribute: the Content-Security-Policy allows it.
    this.image.style.transform =
      this.scale === 1 && !this.x && !this.y
        ? ""
        : `translate(${this.x}px, ${this.y}px) scale(${this.scale})`;
  }

  down(event) {
    if (event.pointerType === "mouse" || event.target.closest("button, a")) return;
    this.stage.setPointerCapture(event.pointerId);
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (this.pointers.size > 1) this.pinched = true;
    this.begin();
  }

  // Every gesture is measured from where its fingers were when it began.
  begin() {
    const rect = this.image.getBoundingClientRect();
    this.start = {
      pointers: [...this.pointers.values()].map((p) => ({ ...p })),
      scale: this.scale,
      x: this.x,
      y: this.y,
      // The image's centre before any transform: scaling keeps the centre.
      centre: { x: rect.left + rect.width / 2 - this.x, y: rect.top + rect.height / 2 - this.y },
    };
  }

  move(event) {
    if (!this.pointers.has(event.pointerId)) return;
    this.pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    const now = [...this.pointers.values()];
    const then = this.start.pointers;
    if (now.length >= 2 && then.length >= 2) {
      this.pinch(now, then);
    } else if (this.start.scale > 1 || this.pinched) {
      this.x = this.start.x + now[0].x - then[0].x;
      this.y = this.start.y + now[0].y - then[0].y;
    } else {
      // The photo follows the finger: sideways to change photo, down to close.
      const dx = now[0].x - then[0].x;
      const dy = now[0].y - then[0].y;
      [this.x, this.y] = dy > Math.abs(dx) ? [0, dy] : [dx, 0];
    }
    this.apply();
  }

  // Zoom by the change in the fingers' spread, keeping the point of the photo
  // that was between them there.
  pinch(now, then) {
    const { scale, x, y, centre } = this.start;
    this.scale = Math.min(
      MAX_SCALE,
      Math.max(1, (scale * distance(now[0], now[1])) / distance(then[0], then[1])),
    );
    const from = midpoint(then[0], then[1]);
    const to = midpoint(now[0], now[1]);
    const pointX = (from.x - centre.x - x) / scale;
    const pointY = (from.y - centre.y - y) / scale;
    this.x = to.x - centre.x - this.scale * pointX;
    this.y = to.y - centre.y - this.scale * pointY;
  }

  up(event, finished) {
    if (!this.pointers.has(event.pointerId)) return;
    const whole = finished && !this.pinched && this.start.scale === 1;
    const swipe = whole && this.swipe(event);
    const dismiss = whole && this.dismissed(event);
    this.pointers.delete(event.pointerId);
    if (this.pointers.size) {
      this.begin(); // a finger lifted from a pinch: the other one drags on
      return;
    }
    if (this.scale < 1.05) this.reset();
    else this.pinched = false;
    if (swipe) this.onSwipe(swipe);
    else if (dismiss) this.onDismiss();
  }

  dismissed(event) {
    const [start] = this.start.pointers;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    return dy >= 2 * SWIPE_DISTANCE && dy > 2 * Math.abs(dx);
  }

  swipe(event) {
    const [start] = this.start.pointers;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (Math.abs(dx) < SWIPE_DISTANCE || Math.abs(dx) < 2 * Math.abs(dy)) return 0;
    return dx < 0 ? 1 : -1;
  }
}
