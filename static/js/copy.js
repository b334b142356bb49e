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

// The page showing the secret is the answer to the POST that made it, so
// reloading it would post again and make a second one. Replacing the history
// entry with the page's own address makes a reload (or Back to it) a GET.
history.replaceState(history.state, "", window.location.href);
