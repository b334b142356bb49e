// Colour mode: Bootstrap's data-bs-theme on <html>, light or dark.
// Loaded in <head> without defer, so the first paint already has the right
// colours (no white flash on a dark system). The choice ("auto", "light" or
// "dark") is kept under the same localStorage key and values as the Django
// admin's own switch, so the site and the admin always agree.
(() => {
  const KEY = "theme";
  const CHOICES = ["auto", "light", "dark"];
  const root = document.documentElement;
  const systemDark = window.matchMedia("(prefers-color-scheme: dark)");
  let unsaved = "auto"; // when the browser refuses storage (some private modes)

  function choice() {
    let saved = null;
    try {
      saved = localStorage.getItem(KEY);
    } catch {
      saved = unsaved;
    }
    return CHOICES.includes(saved) ? saved : "auto";
  }

  function save(value) {
    unsaved = value;
    try {
      localStorage.setItem(KEY, value);
    } catch {
      // Kept for this page only.
    }
  }

  function apply() {
    const chosen = choice();
    root.dataset.bsTheme = chosen === "auto" ? (systemDark.matches ? "dark" : "light") : chosen;
  }

  // The switch in the navigation: a dropdown of three buttons, the chosen one
  // pressed; its toggle names the current choice, so a screen reader says it.
  function showChoice() {
    const chosen = choice();
    document.querySelectorAll("[data-theme-choice]").forEach((button) => {
      const pressed = button.dataset.themeChoice === chosen;
      button.setAttribute("aria-pressed", String(pressed));
      button.classList.toggle("active", pressed);
    });
    const current = document.getElementById("theme-current");
    if (current) current.textContent = chosen === "auto" ? "Auto" : chosen === "light" ? "Light" : "Dark";
    const toggle = document.getElementById("theme-toggle");
    if (toggle) toggle.dataset.themeChosen = chosen;
  }

  // Scripts are on: the navigation's collapsible parts and the switch work.
  root.classList.add("js");
  apply();
  systemDark.addEventListener("change", apply);
  // Another tab (or the admin) changed the choice.
  window.addEventListener("storage", (event) => {
    if (event.key !== KEY) return;
    apply();
    showChoice();
  });

  document.addEventListener("DOMContentLoaded", () => {
    const menu = document.getElementById("theme-menu");
    if (!menu) return;
    menu.hidden = false;
    showChoice();
    menu.addEventListener("click", (event) => {
      const button = event.target.closest("[data-theme-choice]");
      if (!button) return;
      save(button.dataset.themeChoice);
      apply();
      showChoice();
      document.getElementById("theme-toggle").focus();
    });
  });
})();
