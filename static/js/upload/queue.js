// The upload pipeline: hash a file (two at a time), ask the server in
// batches which hashes it already has, then send the rest one file per
// request, a few in parallel. One failure never stops the queue.
// The queue knows nothing about the page; it reports every change to
// onChange(item) and leaves drawing to rows.js.

import { canHash, sha256Hex } from "./hashing.js";

const HASH_LANES = 2;
const CHECK_DELAY_MS = 250;
const AUTO_RETRIES = 2;
const SPEED_WINDOW_MS = 5000;

export const FINAL = new Set(["created", "duplicate", "rejected", "failed"]);
// Refusals that may pass on a later try: the hourly allowance, a session that
// ended. Any other code (not an image, too large ...) would only come back.
const RETRY_CODES = new Set(["upload_rate_limited", "not_authenticated"]);

function failure(status, body) {
  if (body?.message && status < 500) {
    return { message: body.message, transient: false, retryable: RETRY_CODES.has(body.code) };
  }
  if (status === 0) return { message: "The connection to the server failed.", transient: true };
  if (status === 403) {
    return { message: "The server refused the upload. Reload the page, then retry.", transient: false };
  }
  if (status === 429 || status >= 500) {
    return { message: `The server could not take the file just now (error ${status}).`, transient: true };
  }
  return { message: `The server answered with error ${status}.`, transient: false };
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export class UploadQueue {
  constructor(options, onChange) {
    this.options = options;
    this.onChange = onChange;
    this.items = [];
    this.toHash = [];
    this.toCheck = [];
    this.toSend = [];
    this.hashing = 0;
    this.sending = new Set();
    this.bySha = new Map();
    this.checkTimer = 0;
    this.sentBytes = 0;
    this.samples = [];
  }

  get busy() {
    return this.items.some((item) => !FINAL.has(item.state));
  }

  /** Queue {file, path} entries; returns the new items. */
  add(entries) {
    const { maxBytes, tooLarge, prehashMaxBytes } = this.options;
    const added = entries.map(({ file, path }) => {
      const item = {
        id: this.items.length,
        file,
        path,
        size: file.size,
        state: "queued",
        loaded: 0,
        message: "",
        image: null,
        overrides: {},
        sha256: null,
        attempts: 0,
        retryable: false,
      };
      this.items.push(item);
      if (file.size === 0) this.finish(item, "rejected", "The file is empty.");
      else if (file.size > maxBytes) this.finish(item, "rejected", tooLarge);
      else if (canHash && file.size <= prehashMaxBytes) this.toHash.push(item);
      else this.toSend.push(item);
      return item;
    });
    this.pump();
    return added;
  }

  retry(item) {
    if (!item.retryable) return;
    item.attempts = 0;
    item.message = "";
    item.retryable = false;
    this.set(item, "queued");
    this.toSend.push(item);
    this.pump();
  }

  retryFailed() {
    for (const item of this.items) this.retry(item);
  }

  set(item, state) {
    item.state = state;
    this.onChange(item);
  }

  finish(item, state, message = "", image = null, retryable = false) {
    item.message = message;
    item.image = image;
    item.retryable = retryable;
    item.loaded = state === "created" ? item.size : 0;
    this.set(item, state);
  }

  pump() {
    while (this.hashing < HASH_LANES && this.toHash.length) this.hash(this.toHash.shift());
    const { parallel, maxHashes } = this.options;
    while (this.sending.size < parallel && this.toSend.length) this.send(this.toSend.shift());
    if (!this.toCheck.length) return;
    // Ask at once when the senders are idle or the batch is full; otherwise
    // wait a moment so one request covers many files.
    const starving = this.sending.size < parallel && !this.toSend.length;
    const hashingDone = !this.hashing && !this.toHash.length;
    if (starving || hashingDone || this.toCheck.length >= maxHashes) this.check();
    else if (!this.checkTimer) this.checkTimer = setTimeout(() => this.check(), CHECK_DELAY_MS);
  }

  async hash(item) {
    this.hashing += 1;
    this.set(item, "hashing");
    try {
      item.sha256 = await sha256Hex(item.file);
    } catch {
      this.finish(item, "rejected", "The file could not be read from your disk.");
      return;
    } finally {
      this.hashing -= 1;
      this.pump();
    }
    const first = this.bySha.get(item.sha256);
    if (first) {
      this.finish(item, "duplicate", `Same file as ${first.path}, already in this list.`, first.image);
    } else {
      this.bySha.set(item.sha256, item);
      this.set(item, "checking");
      this.toCheck.push(item);
    }
    this.pump();
  }

  async check() {
    clearTimeout(this.checkTimer);
    this.checkTimer = 0;
    const batch = this.toCheck.splice(0, this.options.maxHashes);
    if (!batch.length) return;
    // Asked by visibility: a file the owner has as public, sent again as
    // private, turns that image private, just as sending it would.
    const byVisibility = new Map();
    for (const item of batch) {
      const { visibility } = this.options.fieldsFor(item);
      byVisibility.set(visibility, [...(byVisibility.get(visibility) || []), item]);
    }
    const known = new Map();
    for (const [visibility, items] of byVisibility) {
      for (const entry of await this.known(items, visibility)) known.set(entry.sha256, entry);
    }
    for (const item of batch) {
      const entry = known.get(item.sha256);
      if (entry) this.finish(item, "duplicate", entry.message, entry.image);
      else {
        this.set(item, "queued");
        this.toSend.push(item);
      }
    }
    this.pump();
  }

  /** The outcomes for the files of ``items`` the server already has. */
  async known(items, visibility) {
    const fields = this.options.fieldsFor(items[0]);
    try {
      const response = await fetch(this.options.checkUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": this.options.csrfToken },
        // A file already there still joins the album the batch goes to.
        body: JSON.stringify({
          sha256: items.map((item) => item.sha256),
          visibility,
          album: fields.album,
          album_title: fields.album_title,
        }),
      });
      if (response.ok) return (await response.json()).existing || [];
    } catch {
      // Not fatal: the files go up and the server still spots duplicates.
    }
    return [];
  }

  send(item) {
    this.sending.add(item);
    item.attempts += 1;
    item.loaded = 0;
    this.set(item, "uploading");
    const body = new FormData();
    body.append("file", item.file, item.file.name);
    for (const [name, value] of Object.entries(this.options.fieldsFor(item))) body.append(name, value);
    const xhr = new XMLHttpRequest();
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const loaded = Math.round((item.size * event.loaded) / event.total);
      this.sentBytes += loaded - item.loaded;
      item.loaded = loaded;
      this.onChange(item);
    });
    xhr.addEventListener("load", () => this.settle(item, xhr.status, parseJson(xhr.responseText)));
    xhr.addEventListener("error", () => this.settle(item, 0, null));
    xhr.open("POST", this.options.uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", this.options.csrfToken);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.send(body);
  }

  settle(item, status, body) {
    this.sending.delete(item);
    // An answer means the whole file went up, progress events or not.
    if (status) this.sentBytes += item.size - item.loaded;
    const outcome = body?.outcome;
    if (outcome === "created" || outcome === "duplicate") {
      this.finish(item, outcome, outcome === "created" ? "" : body.message, body.image);
    } else if ((outcome === "rejected" && status < 500) || status === 413) {
      const message = body?.message || "The file is too large for the server.";
      this.finish(item, "rejected", message, null, RETRY_CODES.has(body?.code));
    } else {
      this.fail(item, failure(status, body));
    }
    this.pump();
  }

  fail(item, { message, transient, retryable = transient }) {
    if (!transient || item.attempts > AUTO_RETRIES) {
      this.finish(item, "failed", message, null, retryable);
      return;
    }
    item.message = `${message} Trying again…`;
    item.loaded = 0;
    this.set(item, "queued");
    setTimeout(() => {
      this.toSend.push(item);
      this.pump();
    }, 1500 * item.attempts);
  }

  /** Counts by state, bytes done and to go, and the recent upload speed. */
  stats(now = performance.now()) {
    const counts = { total: this.items.length, done: 0 };
    let totalBytes = 0;
    let doneBytes = 0;
    for (const item of this.items) {
      counts[item.state] = (counts[item.state] || 0) + 1;
      if (item.retryable) counts.retryable = (counts.retryable || 0) + 1;
      totalBytes += item.size;
      if (FINAL.has(item.state)) {
        counts.done += 1;
        doneBytes += item.size;
      } else doneBytes += item.loaded;
    }
    this.samples.push([now, this.sentBytes]);
    while (this.samples.length > 2 && now - this.samples[0][0] > SPEED_WINDOW_MS) this.samples.shift();
    const [since, sentThen] = this.samples[0];
    const speed = now > since ? ((this.sentBytes - sentThen) * 1000) / (now - since) : 0;
    return { counts, totalBytes, doneBytes, speed, secondsLeft: speed > 0 ? (totalBytes - doneBytes) / speed : Infinity };
  }
}
