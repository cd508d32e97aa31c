/* Live countdowns: every element with data-ma-countdown="<ISO time>" shows the time left
 * in its .countdown-time child (d hh:mm:ss), and its data-ma-countdown-done text once the
 * time has passed. The server renders a readable starting text for pages without script.
 */
(function () {
  "use strict";

  function pad(number) {
    return String(number).padStart(2, "0");
  }

  function format(seconds) {
    const days = Math.floor(seconds / 86400);
    const rest = seconds % 86400;
    const clock = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
    return days > 0 ? `${days}d ${clock}` : clock;
  }

  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-ma-countdown]").forEach((element) => {
      const end = Date.parse(element.dataset.maCountdown);
      if (Number.isNaN(end)) {
        return;
      }
      const left = Math.floor((end - now) / 1000);
      if (left <= 0) {
        element.textContent = element.dataset.maCountdownDone || "";
        element.classList.replace("text-bg-warning", "text-bg-secondary");
        element.removeAttribute("data-ma-countdown");
        return;
      }
      const target = element.querySelector(".countdown-time");
      if (target) {
        target.textContent = format(left);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    tick();
    window.setInterval(tick, 1000);
  });
})();
