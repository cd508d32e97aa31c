/*
 * Launcher: "Remove" asks for confirmation in a dialog. Without Bootstrap's JavaScript the
 * form is sent unconfirmed and the server shows a confirmation page instead.
 */
(function () {
  "use strict";

  document.addEventListener("submit", (event) => {
    const form = event.target.closest(".remove-character-form");
    const modalElement = document.getElementById("remove-character-modal");
    if (!form || !modalElement || typeof bootstrap === "undefined") {
      return;
    }
    event.preventDefault();
    modalElement.querySelector("form").action = form.action;
    modalElement.querySelector(".character-name").textContent = form.dataset.characterName;
    bootstrap.Modal.getOrCreateInstance(modalElement).show();
  });
})();

/*
 * Launcher: with many characters, a filter box hides the cards whose name does not match.
 */
(function () {
  "use strict";

  document.addEventListener("input", (event) => {
    if (event.target.id !== "character-filter") {
      return;
    }
    const wanted = event.target.value.trim().toLowerCase();
    document.querySelectorAll("#character-cards .character-card-column").forEach((column) => {
      column.hidden = wanted !== "" && !column.dataset.characterName.includes(wanted);
    });
  });
})();
