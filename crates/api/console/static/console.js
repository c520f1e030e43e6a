// Keyboard for the RA console; every page works without it. No inline script anywhere:
// the Content-Security-Policy allows this file and nothing else.
(function () {
  "use strict";
  var selected = -1;

  function rows() {
    var list = document.querySelector("[data-list] tbody");
    return list ? Array.prototype.slice.call(list.querySelectorAll("tr[data-href]")) : [];
  }

  function select(index) {
    var all = rows();
    if (all.length === 0) return;
    selected = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === selected); });
    all[selected].scrollIntoView({ block: "nearest" });
  }

  function typing(target) {
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The language switch returns to the page it was used on.
    document.querySelectorAll("[data-back]").forEach(function (field) {
      field.value = location.pathname + location.search;
    });
    var help = document.getElementById("help");
    document.querySelectorAll("[data-help]").forEach(function (button) {
      button.addEventListener("click", function () { if (help) help.showModal(); });
    });
    rows().forEach(function (row, i) {
      row.addEventListener("click", function (event) {
        if (event.target.tagName !== "A") location.href = row.dataset.href;
      });
      row.addEventListener("mouseenter", function () { select(i); });
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var all = rows();
    switch (event.key) {
      case "j": select(selected + 1); break;
      case "k": select(selected - 1); break;
      case "Enter":
      case "o":
        if (selected >= 0 && all[selected]) location.href = all[selected].dataset.href;
        else return;
        break;
      case "/":
        var search = document.querySelector("[data-search]");
        if (!search) return;
        search.focus();
        break;
      case "c":
        var claim = document.querySelector('form[data-action="claim"] button');
        if (!claim) return;
        claim.click();
        break;
      case "g": location.href = "/console/"; break;
      case "?":
        var help = document.getElementById("help");
        if (help) help.showModal();
        break;
      default: return;
    }
    event.preventDefault();
  });
})();
