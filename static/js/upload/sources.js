// Where files come from: a drop (files and whole folders) or a file picker.
// Folders are walked lazily and handed over in batches, so a folder of
// thousands of photos starts showing rows before the walk has finished.

const BATCH = 200;
// Files an operating system leaves in photo folders; never worth a row.
const JUNK = new Set(["thumbs.db", "desktop.ini", ".ds_store"]);

function isJunk(name) {
  return name.startsWith(".") || JUNK.has(name.toLowerCase());
}

function readEntries(reader) {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function fileOf(entry) {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function* walk(entry, prefix) {
  if (entry.isFile) {
    if (!isJunk(entry.name)) yield { file: await fileOf(entry), path: prefix + entry.name };
    return;
  }
  if (!entry.isDirectory || isJunk(entry.name)) return;
  const reader = entry.createReader();
  // readEntries answers in slices (100 at a time in Chromium) until empty.
  for (let slice = await readEntries(reader); slice.length; slice = await readEntries(reader)) {
    for (const child of slice) yield* walk(child, `${prefix}${entry.name}/`);
  }
}

async function* inBatches(source) {
  let batch = [];
  for await (const entry of source) {
    batch.push(entry);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/**
 * Batches of {file, path} from a drop. The entries must be taken from the
 * DataTransfer while the drop event runs: it is emptied once the handler
 * returns, so this part is synchronous and only the walk is lazy.
 */
export function droppedFiles(dataTransfer) {
  const roots = [];
  for (const item of dataTransfer.items || []) {
    if (item.kind !== "file") continue;
    const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
    const file = entry ? null : item.getAsFile();
    if (entry || file) roots.push({ entry, file });
  }
  if (!roots.length) {
    for (const file of dataTransfer.files || []) roots.push({ entry: null, file });
  }
  async function* all() {
    for (const { entry, file } of roots) {
      if (entry) yield* walk(entry, "");
      else yield { file, path: file.name };
    }
  }
  return inBatches(all());
}

/** Batches of {file, path} from an <input type=file>, folder pickers included. */
export function pickedFiles(input) {
  const files = Array.from(input.files || []);
  async function* all() {
    for (const file of files) {
      const path = file.webkitRelativePath || file.name;
      const parts = path.split("/");
      if (!parts.some(isJunk)) yield { file, path };
    }
  }
  return inBatches(all());
}
