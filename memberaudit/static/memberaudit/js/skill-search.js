/*
 * The skill search form: pick skills by name (suggested by the server as you type), each with
 * a minimum level, and a minimum of skill points in millions.
 *
 * The conditions travel in the filter form's hidden fields, which the results table sends
 * with every request (server-tables.js, data-filter-form): "skills" as "<id>:<level>,..."
 * and "min_skillpoints" in skill points. Changing them reloads the table and the CSV link.
 * Skills a link brought (?skills=...) arrive as JSON in #skill-search-initial.
 */
(function () {
  "use strict";

  const SUGGEST_DELAY_MS = 200;

  function start() {
    const form = document.getElementById("skill-search-filters");
    const nameInput = document.getElementById("skill-search-name");
    const suggestions = document.getElementById("skill-search-suggestions");
    const levelSelect = document.getElementById("skill-search-level");
    const addButton = document.getElementById("skill-search-add");
    const problem = document.getElementById("skill-search-problem");
    const list = document.getElementById("skill-search-conditions");
    const emptyHint = document.getElementById("skill-search-empty");
    const minSp = document.getElementById("skill-search-min-sp");
    const csvLink = document.getElementById("skill-search-csv");
    if (!form || !nameInput) {
      return;
    }
    const skillsField = form.elements.namedItem("skills");
    const minSpField = form.elements.namedItem("min_skillpoints");
    const maxConditions = Number(list.dataset.maxConditions) || 30;
    const conditions = new Map(); // skill id -> {name, level}
    const known = new Map(); // suggested name (lower case) -> {id, name}
    let timer = null;
    let asked = "";

    function levelName(level) {
      // the level select's own (translated) text
      const option = levelSelect.querySelector(`option[value="${level}"]`);
      return option ? option.textContent : String(level);
    }

    function showProblem(text) {
      problem.textContent = text || "";
      problem.hidden = !text;
    }

    function chosenSkill() {
      return known.get(nameInput.value.trim().toLowerCase()) || null;
    }

    function updateFields(reload) {
      skillsField.value = [...conditions].map(([id, c]) => `${id}:${c.level}`).join(",");
      const millions = parseFloat(minSp.value);
      minSpField.value = millions > 0 ? String(Math.round(millions * 1e6)) : "";
      const query = new URLSearchParams();
      new FormData(form).forEach((value, name) => {
        if (value) {
          query.set(name, value);
        }
      });
      csvLink.href = `${csvLink.dataset.baseUrl}?${query}`;
      emptyHint.hidden = conditions.size > 0;
      if (reload) {
        form.dispatchEvent(new Event("change"));
      }
    }

    function render() {
      list.replaceChildren();
      conditions.forEach((condition, id) => {
        const item = document.createElement("li");
        item.className = "badge text-bg-secondary d-inline-flex align-items-center gap-1 fs-6 fw-normal";
        item.dataset.skillId = id;
        const label = document.createElement("bdi");
        label.className = "ma-name";
        label.textContent = condition.name;
        const level = document.createElement("span");
        level.className = "fw-bold";
        level.textContent = levelName(condition.level);
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close btn-close-white ms-1";
        remove.style.fontSize = "0.6rem";
        remove.setAttribute("aria-label", `${list.dataset.removeText} ${condition.name}`);
        remove.addEventListener("click", () => {
          conditions.delete(id);
          render();
          updateFields(true);
        });
        item.append(label, level, remove);
        list.append(item);
      });
    }

    function add() {
      const skill = chosenSkill();
      if (!skill) {
        showProblem(list.dataset.unknownText);
        return;
      }
      if (!conditions.has(skill.id) && conditions.size >= maxConditions) {
        showProblem(list.dataset.tooManyText);
        return;
      }
      showProblem("");
      conditions.set(skill.id, { name: skill.name, level: Number(levelSelect.value) });
      nameInput.value = "";
      addButton.disabled = true;
      render();
      updateFields(true);
      nameInput.focus();
    }

    function suggest() {
      const text = nameInput.value.trim();
      addButton.disabled = !chosenSkill();
      if (text.length < 2 || text === asked) {
        return;
      }
      asked = text;
      const url = `${nameInput.dataset.url}?${new URLSearchParams({ q: text })}`;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { skills: [] }))
        .then((data) => {
          if (asked !== text) {
            return; // the user typed on
          }
          suggestions.replaceChildren();
          data.skills.forEach((skill) => {
            known.set(skill.name.toLowerCase(), skill);
            const option = document.createElement("option");
            option.value = skill.name;
            suggestions.append(option);
          });
          addButton.disabled = !chosenSkill();
        })
        .catch(() => {});
    }

    nameInput.addEventListener("input", () => {
      showProblem("");
      clearTimeout(timer);
      timer = setTimeout(suggest, SUGGEST_DELAY_MS);
      addButton.disabled = !chosenSkill();
    });
    nameInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        add();
      }
    });
    addButton.addEventListener("click", add);
    minSp.addEventListener("change", () => updateFields(true));
    form.addEventListener("change", () => updateFields(false));

    const initial = document.getElementById("skill-search-initial");
    JSON.parse(initial ? initial.textContent : "[]").forEach((skill) => {
      conditions.set(skill.id, { name: skill.name, level: skill.level });
    });
    render();
    updateFields(false);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
