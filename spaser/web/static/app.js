/* spaser — small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  function norm(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  // Upload: refuse a file over the limit before sending it (the server checks too).
  var form = document.getElementById("form-import");
  if (form) {
    var input = document.getElementById("fichier");
    var error = document.getElementById("erreur-taille");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    var shownName = document.getElementById("nom-fichier");
    var showName = function () {
      var file = input.files && input.files[0];
      shownName.textContent = file ? file.name : "Aucun fichier choisi";
      shownName.hidden = false;
      error.hidden = true;
    };
    input.addEventListener("change", showName);
    showName();
    form.addEventListener("submit", function (event) {
      var file = input.files && input.files[0];
      if (file && max && file.size > max) {
        event.preventDefault();
        error.textContent = "Ce fichier pèse " + Math.ceil(file.size / 1048576) + " Mo : la limite est de " + Math.round(max / 1048576) + " Mo.";
        error.hidden = false;
        input.focus();
      }
    });
  }

  // Text filter on a table: rows carry their searchable text in data-text.
  document.querySelectorAll("input[data-filter-table]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-filter-table"));
    box.addEventListener("input", function () {
      var q = norm(box.value.trim());
      table.querySelectorAll("tbody tr").forEach(function (row) {
        row.hidden = q !== "" && norm(row.getAttribute("data-text")).indexOf(q) === -1;
      });
    });
  });

  // Severity filter on the import problems.
  document.querySelectorAll("input[data-filter-severity]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var table = document.getElementById(radio.getAttribute("data-filter-severity"));
      table.querySelectorAll("tbody tr").forEach(function (row) {
        row.hidden = radio.value !== "" && row.getAttribute("data-severity") !== radio.value;
      });
    });
  });

  // Suggestions: filter clauses by dimension, level and text; hide empty purchases.
  var filters = document.getElementById("filtres-suggestions");
  if (filters) {
    var dim = document.getElementById("filtre-dimension");
    var level = document.getElementById("filtre-niveau");
    var text = document.getElementById("filtre-texte");
    var count = document.getElementById("compte-suggestions");
    var apply = function () {
      var q = norm(text.value.trim());
      var shown = 0;
      var purchases = 0;
      document.querySelectorAll(".purchase").forEach(function (purchase) {
        var visible = 0;
        var purchaseText = norm(purchase.getAttribute("data-text"));
        purchase.querySelectorAll(".clause").forEach(function (clause) {
          var ok = (dim.value === "" || clause.getAttribute("data-dimension") === dim.value) &&
                   (level.value === "" || clause.getAttribute("data-level") === level.value) &&
                   (q === "" || purchaseText.indexOf(q) !== -1 || norm(clause.textContent).indexOf(q) !== -1);
          clause.hidden = !ok;
          if (ok) { visible += 1; }
        });
        purchase.hidden = visible === 0;
        shown += visible;
        if (visible) { purchases += 1; }
      });
      count.textContent = shown + " suggestion(s) affichée(s) pour " + purchases + " achat(s).";
    };
    [dim, level].forEach(function (el) { el.addEventListener("change", apply); });
    text.addEventListener("input", apply);
    filters.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    filters.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    apply();
  }

  // Copy buttons: copy the text of the element named by data-copy.
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var status = document.getElementById(button.getAttribute("data-status"));
      var text = source.textContent;
      var done = function (ok) {
        status.textContent = ok ? "Texte copié." : "Copie impossible : sélectionnez le texte puis Ctrl+C.";
        window.setTimeout(function () { status.textContent = ""; }, 4000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(text)); });
      } else {
        done(fallbackCopy(text));
      }
    });
  });
})();
