// On a phone the search field waits behind the search button: opening it
// puts the cursor in the field, ready to type.
document.getElementById("nav-search-panel")?.addEventListener("shown.bs.collapse", () => {
  document.getElementById("nav-search").focus();
});
