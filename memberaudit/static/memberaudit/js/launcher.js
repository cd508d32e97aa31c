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
