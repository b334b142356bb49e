// A full-screen viewer on a native <dialog>: showModal() makes the rest of
// the page inert (focus stays inside) and Esc closes it; focus then returns
// to the link that opened it. ← and → step through the items.

export class Lightbox {
  constructor(dialog) {
    this.dialog = dialog;
    this.image = dialog.querySelector(".lightbox-image");
    this.title = dialog.querySelector(".lightbox-title");
    this.count = dialog.querySelector(".lightbox-count");
    this.details = dialog.querySelector(".lightbox-details");
    this.prevButton = dialog.querySelector("[data-lightbox=prev]");
    this.nextButton = dialog.querySelector("[data-lightbox=next]");
    this.items = [];
    this.index = 0;
    this.opener = null;
    // Called when stepping past either end: (direction) => handled?
    this.beyond = () => false;
    dialog.addEventListener("keydown", (event) => this.key(event));
    dialog.addEventListener("click", (event) => this.click(event));
    dialog.addEventListener("close", () => this.opener?.focus());
  }

  /** items: [{src, title, href}], opener: the element to refocus on close. */
  open(items, index, opener) {
    this.items = items;
    this.opener = opener;
    this.show(index);
    if (!this.dialog.open) this.dialog.showModal();
    this.dialog.querySelector("[data-lightbox=close]").focus();
  }

  show(index) {
    this.index = index;
    const item = this.items[index];
    this.image.src = item.src;
    this.image.alt = item.title;
    this.title.textContent = item.title;
    this.details.href = item.href;
    this.count.textContent = this.items.length > 1 ? `${index + 1} / ${this.items.length}` : "";
    this.prevButton.disabled = index === 0 && !this.beyond(-1, true);
    this.nextButton.disabled = index === this.items.length - 1 && !this.beyond(1, true);
    // Fetch the next image while this one is looked at.
    const next = this.items[index + 1];
    if (next) new Image().src = next.src;
  }

  step(direction) {
    const index = this.index + direction;
    if (index >= 0 && index < this.items.length) this.show(index);
    else this.beyond(direction, false);
  }

  key(event) {
    const moves = { ArrowLeft: -1, ArrowRight: 1 };
    if (event.key in moves) {
      event.preventDefault();
      this.step(moves[event.key]);
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      this.show(event.key === "Home" ? 0 : this.items.length - 1);
    }
  }

  click(event) {
    const action = event.target.closest("[data-lightbox]")?.dataset.lightbox;
    if (action === "close" || event.target === this.dialog) this.dialog.close();
    else if (action === "prev") this.step(-1);
    else if (action === "next") this.step(1);
  }
}

/** An item for the lightbox from a link carrying data-display-url/-title. */
export function itemFrom(link) {
  return { src: link.dataset.displayUrl, title: link.dataset.title, href: link.href };
}
