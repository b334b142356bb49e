// A full-screen viewer on a native <dialog>: showModal() makes the rest of
// the page inert (focus stays inside) and Esc closes it. ← and → step through
// the items, and so do swipes; pinching zooms (gestures.js). Opening it adds
// a history entry, so a phone's Back gesture closes it instead of leaving the
// page; closing it otherwise takes that entry back. Focus then returns to
// the link of the photo last shown.

import { Gestures } from "./gestures.js";

export class Lightbox {
  constructor(dialog) {
    this.dialog = dialog;
    this.image = dialog.querySelector(".lightbox-image");
    this.title = dialog.querySelector(".lightbox-title");
    this.count = dialog.querySelector(".lightbox-count");
    this.details = dialog.querySelector(".lightbox-details");
    this.download = dialog.querySelector(".lightbox-download");
    this.prevButton = dialog.querySelector("[data-lightbox=prev]");
    this.nextButton = dialog.querySelector("[data-lightbox=next]");
    this.items = [];
    this.index = 0;
    // How many there are in all, when the page knows and its items start at
    // the first: "4 / 65" rather than "4 / 48+" (the page's 48, and more).
    this.total = null;
    this.opener = null;
    this.waiting = 0;
    // Called when stepping past either end: (direction, asking) => whether
    // there is more that way; when not asking, go and get it (see extend).
    this.beyond = () => false;
    this.gestures = new Gestures(
      dialog.querySelector(".lightbox-stage"),
      this.image,
      (direction) => this.step(direction),
      () => this.dialog.close(),
    );
    dialog.addEventListener("keydown", (event) => this.key(event));
    dialog.addEventListener("click", (event) => this.click(event));
    dialog.addEventListener("close", () => this.closed());
    // Left open for another page, then loaded afresh on the way back: the
    // dialog is closed, so the entry no longer stands for it.
    if (history.state?.lightbox) history.replaceState(null, "");
    window.addEventListener("popstate", () => {
      if (this.dialog.open && !history.state?.lightbox) this.dialog.close();
    });
  }

  /** items: [{src, title, href, link}], opener: focused on close if the
   * last item has no link in the page. */
  open(items, index, opener) {
    this.items = items;
    this.opener = opener;
    this.show(index);
    if (!this.dialog.open) this.dialog.showModal();
    if (!history.state?.lightbox) history.pushState({ lightbox: true }, "");
    this.dialog.querySelector("[data-lightbox=close]").focus();
  }

  closed() {
    this.waiting = 0;
    this.gestures.reset();
    const link = this.items[this.index]?.link;
    (link?.isConnected ? link : this.opener)?.focus();
    // Closed by a button, Esc or a click outside: our history entry goes too.
    if (history.state?.lightbox) history.back();
  }

  show(index) {
    this.index = index;
    const item = this.items[index];
    this.gestures.reset();
    this.image.src = item.src;
    this.image.alt = item.title;
    this.title.textContent = item.title;
    this.details.href = item.href;
    this.details.hidden = !item.hasPage;
    this.download.href = item.download ?? "#";
    this.download.hidden = !item.download;
    const more = this.beyond(1, true);
    const total = this.total ?? `${this.items.length}${more ? "+" : ""}`;
    // A photo's own page opens one photo, stepping on to the next page's:
    // "1 / 1+" would count nothing.
    this.count.textContent = this.items.length > 1 ? `${index + 1} / ${total}` : "";
    this.prevButton.disabled = index === 0 && !this.beyond(-1, true);
    this.nextButton.disabled = index === this.items.length - 1 && !more;
    // Fetch the next image while this one is looked at.
    const next = this.items[index + 1];
    if (next) new Image().src = next.src;
  }

  step(direction) {
    const index = this.index + direction;
    if (index >= 0 && index < this.items.length) this.show(index);
    else if (!this.waiting && this.beyond(direction, false)) this.waiting = direction;
  }

  /** More items came (the same list, longer): go on into them if a step
   * past the end was waiting for them. */
  extend(items) {
    const direction = this.waiting;
    this.waiting = 0;
    const current = this.items[this.index];
    this.items = items;
    if (!this.dialog.open) return;
    const index = Math.max(0, items.findIndex((item) => item.href === current.href));
    const next = index + direction;
    this.show(next >= 0 && next < items.length ? next : index);
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

/** An item for the lightbox from a link carrying data-display-url/-title;
 * data-no-page marks a photo without a page to open (one in the trash, or
 * one seen through a share link), data-download-url its original where the
 * viewer may have it and has no page to get it from. */
export function itemFrom(link) {
  const { displayUrl: src, title, noPage, downloadUrl: download } = link.dataset;
  return { src, title, href: link.href, hasPage: noPage === undefined, link, download };
}
