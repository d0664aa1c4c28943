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

  // A background job: poll its state, move the bar, go on when it is done.
  var job = document.getElementById("travail");
  if (job && window.fetch) {
    var bar = document.getElementById("avancement");
    var state = document.getElementById("etat-travail");
    var refresh = document.getElementById("actualiser");
    if (refresh) { refresh.hidden = true; }
    var poll = function () {
      window.fetch(job.getAttribute("data-status-url"), { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (info) {
          bar.max = info.steps;
          bar.value = info.done;
          bar.textContent = info.done + " sur " + info.steps;
          state.textContent = info.text;
          if (info.state === "done" && info.next) {
            window.location.href = info.next;
            if (info.next.indexOf("/telecharger/") !== -1) { window.setTimeout(function () { window.location.reload(); }, 1500); }
          } else if (info.state === "failed") {
            window.location.reload();
          } else {
            window.setTimeout(poll, 700);
          }
        })
        .catch(function () { if (refresh) { refresh.hidden = false; } });
    };
    if (job.getAttribute("data-state") === "waiting" || job.getAttribute("data-state") === "running") { window.setTimeout(poll, 300); }
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
