// Copy buttons on the Red Button pages (the download link works without this script).
document.querySelectorAll("[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(source.value).then(() => {
      const label = button.textContent;
      button.textContent = "✓";
      setTimeout(() => (button.textContent = label), 1500);
    });
  });
});
