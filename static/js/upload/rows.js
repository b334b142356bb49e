// One row per file, built a slice per animation frame and repainted only when
// its item changed, so thousands of queued files never block the page.
// Rows live in blocks of BLOCK_SIZE; a block far off screen parks its rows in
// a DocumentFragment and keeps only its height, so the browser has nothing
// to walk there. (CSS content-visibility alone still leaves Chromium laying
// out every row on every frame.)

import { formatBytes } from "./format.js";

const ROWS_PER_FRAME = 100;
const BLOCK_SIZE = 100;
const KEEP_WITHIN = "2000px 0px";
const LABELS = {
  queued: "Queued",
  hashing: "Hashing",
  checking: "Checking",
  uploading: "Uploading",
  created: "Added",
  duplicate: "Duplicate",
  rejected: "Rejected",
  failed: "Failed",
};
const EDITABLE = new Set(["queued", "hashing", "checking"]);

export class RowList {
  constructor(list, { row, overrides }, { onRetry }) {
    this.list = list;
    this.rowTemplate = row;
    this.overridesTemplate = overrides;
    this.pending = [];
    this.dirty = new Set();
    this.byId = new Map();
    this.frame = 0;
    this.block = null;
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (entry.isIntersecting) this.unpark(entry.target);
          else this.park(entry.target);
        }
      },
      { rootMargin: KEEP_WITHIN },
    );
    list.addEventListener("click", (event) => this.click(event, onRetry));
    list.addEventListener("input", (event) => this.edit(event));
  }

  append(items) {
    this.pending.push(...items);
    this.schedule();
  }

  update(item) {
    this.dirty.add(item);
    this.schedule();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = 0;
    for (const item of this.pending.splice(0, ROWS_PER_FRAME)) {
      if (!this.block || this.block.rows >= BLOCK_SIZE) this.newBlock();
      const block = this.block;
      block.rows += 1;
      if (block.parked) {
        block.parked.append(this.build(item));
        block.style.height = `${block.rowHeight * block.rows}px`;
      } else block.append(this.build(item));
    }
    for (const item of this.dirty) if (item.row) this.paint(item);
    this.dirty.clear();
    if (this.pending.length) this.schedule();
  }

  newBlock() {
    this.block = document.createElement("div");
    this.block.className = "upload-block";
    this.block.setAttribute("role", "none");
    this.block.rows = 0;
    this.block.parked = null;
    this.list.append(this.block);
    this.observer.observe(this.block);
  }

  park(block) {
    if (block.parked || !block.rows) return;
    block.rowHeight = block.offsetHeight / block.rows;
    block.style.height = `${block.offsetHeight}px`;
    block.parked = document.createDocumentFragment();
    block.parked.append(...block.children);
  }

  unpark(block) {
    if (!block.parked) return;
    block.append(block.parked);
    block.parked = null;
    block.style.height = "";
  }

  /** Show every row again and let the observer re-decide (after a filter). */
  refresh() {
    for (const block of this.list.children) {
      this.unpark(block);
      this.observer.unobserve(block);
      this.observer.observe(block);
    }
  }

  build(item) {
    const li = this.rowTemplate.content.firstElementChild.cloneNode(true);
    const part = (name) => li.querySelector(`.upload-${name}`);
    li.dataset.id = item.id;
    part("name").textContent = item.path;
    part("name").title = item.path;
    part("size").textContent = formatBytes(item.size);
    part("progress").setAttribute("aria-label", `Progress of ${item.path}`);
    part("retry").setAttribute("aria-label", `Retry ${item.path}`);
    part("edit").setAttribute("aria-label", `Title, description and visibility of ${item.path}`);
    part("overrides").id = `upload-overrides-${item.id}`;
    part("edit").setAttribute("aria-controls", part("overrides").id);
    item.row = {
      li,
      state: part("state"),
      progress: part("progress"),
      message: part("message"),
      retry: part("retry"),
      edit: part("edit"),
      overrides: part("overrides"),
      shown: null,
    };
    this.byId.set(String(item.id), item);
    this.paint(item);
    return li;
  }

  paint(item) {
    const row = item.row;
    if (row.shown !== item.state) {
      row.shown = item.state;
      row.li.dataset.state = item.state;
      row.state.textContent = LABELS[item.state];
      row.retry.hidden = !item.retryable;
      row.edit.hidden = !EDITABLE.has(item.state);
      if (!EDITABLE.has(item.state)) this.closeOverrides(item);
      this.paintMessage(item);
    } else if (item.state === "queued") this.paintMessage(item);
    const done = item.state === "created" || item.state === "duplicate";
    row.progress.value = done ? 1 : item.size ? item.loaded / item.size : 0;
  }

  paintMessage(item) {
    const message = item.row.message;
    message.textContent = item.message;
    if (item.image) {
      const link = document.createElement("a");
      link.href = item.image.page_url;
      link.textContent = `Open “${item.image.title}”`;
      message.append(item.message ? " " : "", link);
    }
  }

  click(event, onRetry) {
    const button = event.target.closest("button");
    const li = button?.closest(".upload-row");
    if (!li) return;
    const item = this.byId.get(li.dataset.id);
    if (button.classList.contains("upload-retry")) onRetry(item);
    else if (button.classList.contains("upload-edit")) this.toggleOverrides(item);
  }

  toggleOverrides(item) {
    const { overrides, edit } = item.row;
    if (!overrides.hidden) return this.closeOverrides(item);
    if (!overrides.firstElementChild) {
      overrides.append(this.overridesTemplate.content.cloneNode(true));
      for (const field of overrides.querySelectorAll("[data-field]")) {
        field.id = `${overrides.id}-${field.dataset.field}`;
        field.value = item.overrides[field.dataset.field] || "";
        overrides.querySelector(`[data-for="${field.dataset.field}"]`).htmlFor = field.id;
      }
    }
    overrides.hidden = false;
    edit.setAttribute("aria-expanded", "true");
    overrides.querySelector("[data-field]").focus();
  }

  closeOverrides(item) {
    item.row.overrides.hidden = true;
    item.row.edit.setAttribute("aria-expanded", "false");
  }

  edit(event) {
    const field = event.target.closest("[data-field]");
    const li = field?.closest(".upload-row");
    if (!li) return;
    this.byId.get(li.dataset.id).overrides[field.dataset.field] = field.value;
  }
}
