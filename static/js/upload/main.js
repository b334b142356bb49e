// The drag-and-drop uploader. Without JavaScript the page keeps its plain
// multi-file form; with it, files are queued here and sent one per request.

import { finishedLine, formatBytes, formatDuration, plural, summaryParts } from "./format.js";
import { droppedFiles, pickedFiles } from "./sources.js";
import { RowList } from "./rows.js";
import { UploadQueue } from "./queue.js";

const SUMMARY_EVERY_MS = 250;

function batchFields(form) {
  const checked = form.querySelector("input[name=visibility]:checked");
  return {
    title: form.elements.title.value.trim(),
    description: form.elements.description.value.trim(),
    visibility: checked ? checked.value : "private",
    album: form.elements.album.value,
    album_title: form.elements.album_title.value.trim(),
  };
}

function hasFiles(event) {
  return Array.from(event.dataTransfer?.types || []).includes("Files");
}

class Uploader {
  constructor(form) {
    const data = form.dataset;
    this.form = form;
    this.section = document.getElementById("upload-queue");
    this.list = document.getElementById("upload-list");
    this.total = document.getElementById("upload-total");
    this.counts = document.getElementById("upload-counts");
    this.rate = document.getElementById("upload-rate");
    this.retryFailed = document.getElementById("retry-failed");
    this.summaryTimer = 0;
    this.startedAt = 0;
    this.queue = new UploadQueue(
      {
        uploadUrl: data.uploadUrl,
        checkUrl: data.checkUrl,
        csrfToken: form.elements.csrfmiddlewaretoken.value,
        parallel: Number(data.parallel) || 4,
        maxBytes: Number(data.maxBytes),
        tooLarge: data.tooLarge,
        maxHashes: Number(data.maxHashes) || 500,
        prehashMaxBytes: Number(data.prehashMaxBytes),
        fieldsFor: (item) => {
          const batch = batchFields(form);
          const own = item.overrides;
          return {
            title: own.title?.trim() || batch.title,
            description: own.description?.trim() || batch.description,
            visibility: own.visibility || batch.visibility,
            // The batch's choice is what the page offers first next time;
            // one file's own choice is not.
            remember: own.visibility ? "" : "1",
            album: batch.album,
            album_title: batch.album_title,
          };
        },
      },
      (item) => this.changed(item),
    );
    this.rows = new RowList(
      this.list,
      {
        row: document.getElementById("upload-row-template"),
        overrides: document.getElementById("upload-overrides-template"),
      },
      { onRetry: (item) => this.queue.retry(item) },
    );
  }

  start() {
    document.body.classList.add("uploader-on");
    // Enter in a batch field must not submit the plain form.
    this.form.addEventListener("submit", (event) => event.preventDefault());
    // A browser that cannot pick folders would offer files under that name.
    if (!("webkitdirectory" in document.createElement("input"))) {
      for (const part of this.form.querySelectorAll(".folder-picker")) part.hidden = true;
    }
    for (const id of ["pick-files", "pick-folder"]) {
      const input = document.getElementById(id);
      input.addEventListener("change", () => {
        this.addAll(pickedFiles(input));
        input.value = "";
      });
    }
    this.listenForDrops();
    this.retryFailed.addEventListener("click", () => this.queue.retryFailed());
    this.section.addEventListener("change", (event) => {
      if (event.target.name === "queue-filter") {
        this.list.classList.toggle("only-problems", event.target.value === "problems");
        this.rows.refresh();
      }
    });
    window.addEventListener("beforeunload", (event) => {
      if (this.queue.busy) event.preventDefault();
    });
  }

  listenForDrops() {
    const body = document.body;
    document.addEventListener("dragover", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      body.classList.add("is-dragging");
    });
    document.addEventListener("dragleave", (event) => {
      if (!event.relatedTarget) body.classList.remove("is-dragging");
    });
    document.addEventListener("drop", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      body.classList.remove("is-dragging");
      this.addAll(droppedFiles(event.dataTransfer));
    });
  }

  async addAll(batches) {
    // Every file would be refused for the missing title: ask for it first.
    const title = this.form.elements.album_title;
    if (this.form.elements.album.value === "new" && !title.value.trim()) {
      title.setCustomValidity("Give the new album a title.");
      title.reportValidity();
      title.addEventListener("input", () => title.setCustomValidity(""), { once: true });
      return;
    }
    this.pointToWhereTheyGo();
    let first = true;
    for await (const batch of batches) {
      if (!this.startedAt) this.startedAt = performance.now();
      this.section.hidden = false;
      document.getElementById("queue-empty").hidden = true;
      this.rows.append(this.queue.add(batch));
      this.summarize();
      if (first) this.showQueue();
      first = false;
    }
    this.announce(`${plural(this.queue.items.length, "file")} in the queue.`);
  }

  // Files sent into an album are looked for there: the summary's link leads
  // to it (a new album's address is not known here: the albums page lists it).
  pointToWhereTheyGo() {
    const link = document.getElementById("see-uploads");
    const album = this.form.elements.album;
    const chosen = album.options[album.selectedIndex];
    link.dataset.photosUrl ??= link.href;
    if (chosen?.dataset.url) {
      [link.href, link.textContent] = [chosen.dataset.url, "See the album"];
    } else if (album.value === "new") {
      [link.href, link.textContent] = [link.dataset.albumsUrl, "See your albums"];
    } else {
      [link.href, link.textContent] = [link.dataset.photosUrl, "See my photos"];
    }
  }

  // On a narrow screen the queue sits below the whole form: without this,
  // choosing files would seem to do nothing.
  showQueue() {
    const top = this.section.getBoundingClientRect().top;
    if (top > window.innerHeight * 0.75) this.section.scrollIntoView({ block: "start" });
  }

  announce(text) {
    document.getElementById("upload-announce").textContent = text;
  }

  changed(item) {
    this.rows.update(item);
    if (!this.summaryTimer) {
      this.summaryTimer = setTimeout(() => this.summarize(), SUMMARY_EVERY_MS);
    }
  }

  summarize() {
    clearTimeout(this.summaryTimer);
    this.summaryTimer = 0;
    const { counts, totalBytes, doneBytes, speed, secondsLeft } = this.queue.stats();
    this.total.max = Math.max(totalBytes, 1);
    this.total.value = doneBytes;
    const parts = summaryParts(counts);
    this.counts.textContent = parts.join(" · ");
    this.retryFailed.disabled = !counts.retryable;
    const finished = counts.done === counts.total;
    if (finished && !this.finished) this.announce(`Uploads finished: ${parts.slice(1).join(", ")}.`);
    this.finished = finished;
    if (finished) {
      const seconds = (performance.now() - this.startedAt) / 1000;
      this.rate.textContent = finishedLine({ counts, sentBytes: this.queue.sentBytes, seconds });
    } else {
      const left = secondsLeft < Infinity ? ` · about ${formatDuration(secondsLeft)} left` : "";
      this.rate.textContent = speed ? `${formatBytes(speed)}/s${left}` : "Starting…";
    }
  }
}

// The sticky summary must stop below the sticky navigation bar, whose height
// changes as its search field or menu opens on a phone.
function trackNavHeight() {
  const nav = document.querySelector("nav.sticky-top");
  if (!nav) return;
  const root = document.documentElement;
  const set = () => root.style.setProperty("--nav-height", `${nav.offsetHeight}px`);
  new ResizeObserver(set).observe(nav);
  set();
}

const form = document.getElementById("upload-form");
if (form?.dataset.uploadUrl) {
  trackNavHeight();
  new Uploader(form).start();
}
