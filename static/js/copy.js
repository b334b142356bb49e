// "Copy" buttons next to a secret shown once (a new API token, a new share
// link): templates/_copy_field.html. No inline scripts: the site's
// Content-Security-Policy forbids them.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copyTarget);
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Press Ctrl+C";
    }
  });
});
