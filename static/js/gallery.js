// The gallery grid and the detail page: a lightbox, and selecting several of
// your own images for a bulk change. Without JavaScript the tiles are plain
// links, the grid is laid out by CSS alone and the Select toggle still works
// (CSS :has).

import { Lightbox, itemFrom } from "./lightbox.js";

const dialog = document.getElementById("lightbox");
const lightbox = dialog ? new Lightbox(dialog) : null;

function typing(event) {
  return event.target.closest("input, textarea, select, [contenteditable]");
}

function setUpGrid(grid) {
  const selectMode = document.getElementById("select-mode");
  const count = document.getElementById("bulk-count");
  const links = () => Array.from(grid.querySelectorAll(".tile-link"));
  let lastChecked = null;

  grid.addEventListener("click", (event) => {
    const link = event.target.closest(".tile-link");
    if (!link) return;
    if (selectMode?.checked) {
      // While selecting, a photo is its checkbox: shift-click picks a run.
      event.preventDefault();
      const box = link.parentElement.querySelector(".tile-check");
      box?.dispatchEvent(
        new MouseEvent("click", { bubbles: true, cancelable: true, shiftKey: event.shiftKey }),
      );
      return;
    }
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const all = links();
    lightbox.open(all.map(itemFrom), all.indexOf(link), link);
  });
  lightbox.beyond = olderPages(grid, () => lightbox.extend(links().map(itemFrom)));
  if (grid.dataset.total) lightbox.total = Number(grid.dataset.total);

  if (!selectMode) return;
  const boxes = () => Array.from(grid.querySelectorAll(".tile-check"));
  const actions = document.querySelector(".bulk-actions");
  const buttons = actions.querySelectorAll("button");
  count.dataset.prompt = count.textContent;
  const refresh = () => {
    const chosen = boxes().filter((box) => box.checked);
    // Others' photos (an album's owner may pick them) can only leave the album.
    const others = chosen.some((box) => box.hasAttribute("data-others"));
    count.textContent = chosen.length ? `${chosen.length} selected` : count.dataset.prompt;
    // Why the other buttons went grey.
    if (others) count.textContent += " · others' photos can only leave the album";
    for (const button of buttons) {
      button.disabled = !chosen.length || (others && button.value !== "album-remove");
    }
  };
  grid.addEventListener("click", (event) => {
    // Shift-click selects the run of your tiles since the last one clicked.
    const box = event.target.closest(".tile-check");
    if (!box) return;
    if (event.shiftKey && lastChecked) {
      const all = boxes();
      const [a, b] = [all.indexOf(lastChecked), all.indexOf(box)].sort((x, y) => x - y);
      for (const other of all.slice(a, b + 1)) other.checked = box.checked;
    }
    lastChecked = box;
  });
  grid.addEventListener("change", refresh);
  selectMode.addEventListener("change", () => {
    if (!selectMode.checked) for (const box of boxes()) box.checked = false;
    refresh();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && selectMode.checked && !dialog?.open) {
      selectMode.checked = false;
      selectMode.dispatchEvent(new Event("change"));
    }
  });
  refresh();
}

// Past the page's last photo the lightbox goes on with the next page's: the
// "Older" link's page is fetched and its tiles join the grid, so the page and
// the lightbox show the same photos, and the link moves on a page.
function olderPages(grid, added) {
  let loading = null;
  return (direction, asking) => {
    const older = document.querySelector("a[rel=next]");
    if (direction < 0 || !older) return false;
    if (!asking && !loading) {
      loading = appendPage(grid, older)
        .catch((error) => console.warn("The older photos did not load:", error))
        .then(added)
        .finally(() => (loading = null));
    }
    return true;
  };
}

async function appendPage(grid, older) {
  const response = await fetch(older.href);
  if (!response.ok) throw new Error(`${older.href}: ${response.status}`);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const items = [...page.querySelectorAll("#gallery > *")];
  // A timeline page opens with its first month's heading: the month the grid
  // ends in goes on without it; another month starts on a row of its own,
  // as it would within one page.
  const heading = items[0]?.matches(".timeline-heading") ? items[0] : null;
  const shown = grid.querySelectorAll(".timeline-heading");
  const last = shown[shown.length - 1];
  if (heading && last?.textContent.trim() === heading.textContent.trim()) {
    items.shift();
  } else if (heading) {
    const rowEnd = document.createElement("li");
    rowEnd.className = "row-end";
    rowEnd.setAttribute("aria-hidden", "true");
    items.unshift(rowEnd);
  }
  grid.append(...items);
  const next = page.querySelector("a[rel=next]");
  if (next) older.href = new URL(next.getAttribute("href"), response.url).href;
  else older.remove();
}

function setUpDetail(open) {
  const newer = document.getElementById("detail-newer");
  const older = document.getElementById("detail-older");
  // In place of the lightbox's history entry, so Back closes the next one.
  const go = (link) => link && window.location.replace(`${link.href}#lightbox`);
  // Past this image the lightbox moves on to the neighbouring page.
  lightbox.beyond = (direction, asking) => {
    const link = direction < 0 ? newer : older;
    return asking ? Boolean(link) : go(link);
  };
  open.addEventListener("click", (event) => {
    event.preventDefault();
    lightbox.open([itemFrom(open)], 0, open);
  });
  document.addEventListener("keydown", (event) => {
    if (dialog.open || typing(event) || event.altKey || event.ctrlKey || event.metaKey) return;
    const link = { ArrowLeft: newer, ArrowRight: older }[event.key];
    if (link) window.location.href = link.href;
  });
  if (window.location.hash === "#lightbox") {
    history.replaceState(null, "", window.location.pathname + window.location.search);
    lightbox.open([itemFrom(open)], 0, open);
  }
}

const grid = document.getElementById("gallery");
if (grid && lightbox) setUpGrid(grid);
const detailOpen = document.getElementById("detail-open");
if (detailOpen && lightbox) setUpDetail(detailOpen);
