// Numbers as people read them: sizes, rates and durations.

const UNITS = ["bytes", "KB", "MB", "GB", "TB"];
const count = new Intl.NumberFormat();

export function formatCount(n) {
  return count.format(n);
}

export function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  return `${hours} h ${Math.round((seconds % 3600) / 60)} min`;
}

export function plural(n, one, many = `${one}s`) {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The queue's counts as a sentence in parts: "1,998 added", never "1998 added". */
export function summaryParts(counts) {
  const parts = [`${formatCount(counts.done)} of ${plural(counts.total, "file")} done`];
  if (counts.created) parts.push(`${formatCount(counts.created)} added`);
  if (counts.duplicate) parts.push(plural(counts.duplicate, "duplicate"));
  if (counts.rejected) parts.push(`${formatCount(counts.rejected)} rejected`);
  if (counts.failed) parts.push(`${formatCount(counts.failed)} failed`);
  return parts;
}

/** The line a finished queue ends with: only bytes that went up count. */
export function finishedLine({ counts, sentBytes, seconds }) {
  if (sentBytes) return `Finished ${formatBytes(sentBytes)} in ${formatDuration(seconds)}.`;
  if (counts.duplicate === counts.total) {
    return `Nothing to send: ${plural(counts.duplicate, "file")} you already have.`;
  }
  return "Nothing sent.";
}
