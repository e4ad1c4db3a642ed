/*
 * unspin web page: the forms around the viewer. Sends the texts to the API served next to
 * this file (POST compare?view=true, POST check?view=true) and hands each comparison to
 * UnspinViewer.render (viewer.js), the same renderer as `unspin compare --html`, so the
 * page and the report always show the same thing.
 *
 * Plain script, no framework and no build step: it ships inside the Python package.
 * Texts go into the page through textContent only (the viewer does the same), never as
 * markup, so a pasted document containing HTML is shown, not run.
 */
(function () {
  "use strict";

  var VERDICT_NAMES = {
    unrelated: "Unrelated",
    partial_reuse: "Partial reuse",
    near_duplicate: "Near duplicate",
    spun_copy: "Spun copy"
  };

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function pct(x) {
    if (typeof x !== "number" || !isFinite(x)) return "–";
    var v = Math.max(0, Math.min(1, x)) * 100;
    return (v > 0 && v < 1 ? "<1" : v > 99 && v < 100 ? ">99" : String(Math.round(v))) + "%";
  }

  /* ---------- talking to the API ---------- */

  var busy = false;

  function setBusy(on, message) {
    busy = on;
    ["compare-btn", "check-btn"].forEach(function (id) {
      $(id).disabled = on || Boolean($(id).dataset.noIndex);
    });
    document.body.classList.toggle("is-busy", on);
    $("status").textContent = message || "";
  }

  function showError(message) {
    var box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  /** POSTs JSON; resolves with the parsed answer, rejects with a readable message. */
  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.text().then(function (raw) {
        var data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
        if (!response.ok) {
          var why = data && typeof data.error === "string" ? data.error : raw.slice(0, 300);
          throw new Error("The server refused the request (" + response.status + "): " +
            (why || response.statusText));
        }
        if (!data) throw new Error("The server sent an answer this page cannot read.");
        return data;
      });
    }, function () {
      throw new Error("Could not reach the server. Is `unspin serve` still running?");
    });
  }

  /** A text box's content as an API text object (file name as id when a file was dropped). */
  function textOf(id) {
    var area = $(id);
    var out = { text: area.value };
    if (area.dataset.fileId && area.dataset.fileText === area.value) {
      out.id = area.dataset.fileId;
    }
    return out;
  }

  function clearResults() {
    showError("");
    var result = $("result");
    while (result.firstChild) result.removeChild(result.firstChild);
    var matches = $("matches");
    while (matches.firstChild) matches.removeChild(matches.firstChild);
    matches.hidden = true;
  }

  function render(data) {
    window.UnspinViewer.render($("result"), data);
  }

  /* ---------- compare ---------- */

  function compare() {
    if (busy) return;
    var a = textOf("text-a");
    var b = textOf("text-b");
    if (!a.text.trim() || !b.text.trim()) {
      showError("Paste a text into both boxes, A and B, first.");
      (a.text.trim() ? $("text-b") : $("text-a")).focus();
      return;
    }
    clearResults();
    setBusy(true, "Comparing…");
    post("compare?view=true", { a: a, b: b }).then(function (answer) {
      var view = answer.view || {};
      delete answer.view;
      render({
        a_text: view.a_text, b_text: view.b_text,
        a_title: view.a_title, b_title: view.b_title,
        a_skip: view.a_skip, b_skip: view.b_skip,
        result: answer
      });
      setBusy(false, "Done: " + (VERDICT_NAMES[answer.verdict] || answer.verdict) + ".");
      $("result").scrollIntoView({ behavior: "smooth", block: "start" });
    }).catch(function (err) {
      setBusy(false, "");
      showError(err.message);
    });
  }

  /* ---------- check ---------- */

  function check() {
    if (busy) return;
    var q = textOf("text-query");
    if (!q.text.trim()) {
      showError("Paste a text into the box first.");
      $("text-query").focus();
      return;
    }
    clearResults();
    setBusy(true, "Looking for sources in the archive…");
    post("check?view=true", q).then(function (answer) {
      var matches = Array.isArray(answer.matches) ? answer.matches : [];
      setBusy(false, matches.length
        ? "Found " + matches.length + " source" + (matches.length === 1 ? "" : "s") + "."
        : "No source found.");
      showMatches(matches);
    }).catch(function (err) {
      setBusy(false, "");
      showError(err.message);
    });
  }

  function showMatches(matches) {
    var box = $("matches");
    box.hidden = false;
    if (!matches.length) {
      box.appendChild(el("p", "pg-none", "Nothing in the archive reuses this text, or is " +
        "reused by it. (Only documents added to the archive are searched.)"));
      return;
    }
    box.appendChild(el("h2", "pg-h2", "Sources in the archive"));
    box.appendChild(el("p", "pg-muted", "Best first. Choose one to see it side by side " +
      "with your text: the archived document is A, your text is B."));
    var list = el("ol", "pg-match-list");
    var buttons = [];
    matches.forEach(function (m, i) {
      var item = el("li");
      var button = el("button", "pg-match");
      button.type = "button";
      button.setAttribute("aria-pressed", "false");
      button.appendChild(el("span", "pg-match-id", m.id));
      button.appendChild(el("span", "pg-match-verdict pg-v--" + m.verdict,
        VERDICT_NAMES[m.verdict] || m.verdict));
      var cov = m.coverage || {};
      button.appendChild(el("span", "pg-match-figures",
        "score " + pct(m.score) + " · " + pct(cov.query) + " of your text · " +
        pct(cov.source) + " of the source · spin " + pct(m.spin_rate)));
      button.addEventListener("click", function () { select(i); });
      item.appendChild(button);
      list.appendChild(item);
      buttons.push(button);
    });
    box.appendChild(list);

    function select(i) {
      buttons.forEach(function (b, j) {
        b.setAttribute("aria-pressed", String(i === j));
        b.classList.toggle("is-selected", i === j);
      });
      if (matches[i].view) render(matches[i].view);
    }
    select(0);
  }

  /* ---------- text boxes: files dropped or chosen ---------- */

  function readFileInto(file, area) {
    var hint = $(area.id.replace("text-", "hint-"));
    if (file.size > 5 * 1024 * 1024) {
      hint.textContent = file.name + " is too large for this page (over 5 MB).";
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      area.value = String(reader.result);
      area.dataset.fileId = file.name.replace(/\.txt$/i, "");
      area.dataset.fileText = area.value;
      hint.textContent = "Loaded " + file.name + ".";
    };
    reader.onerror = function () { hint.textContent = "Could not read " + file.name + "."; };
    reader.readAsText(file, "utf-8");
  }

  function acceptDrops(area) {
    area.addEventListener("dragover", function (ev) {
      if (ev.dataTransfer && Array.prototype.indexOf.call(ev.dataTransfer.types, "Files") >= 0) {
        ev.preventDefault();
        area.classList.add("is-drop");
      }
    });
    area.addEventListener("dragleave", function () { area.classList.remove("is-drop"); });
    area.addEventListener("drop", function (ev) {
      area.classList.remove("is-drop");
      var files = ev.dataTransfer && ev.dataTransfer.files;
      if (!files || !files.length) return; // dropped text: the browser inserts it
      ev.preventDefault();
      readFileInto(files[0], area);
    });
    area.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        area.form.requestSubmit ? area.form.requestSubmit() : area.form.dispatchEvent(
          new Event("submit", { cancelable: true }));
      }
    });
  }

  /* ---------- tabs ---------- */

  function showTab(name) {
    ["compare", "check"].forEach(function (n) {
      var on = n === name;
      var tab = $("tab-" + n);
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      $("panel-" + n).hidden = !on;
    });
    clearResults();
    $("status").textContent = "";
  }

  function wireTabs() {
    var names = ["compare", "check"];
    names.forEach(function (n, i) {
      var tab = $("tab-" + n);
      tab.addEventListener("click", function () { showTab(n); });
      tab.addEventListener("keydown", function (ev) {
        if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") return;
        var next = names[(i + (ev.key === "ArrowRight" ? 1 : names.length - 1)) % names.length];
        showTab(next);
        $("tab-" + next).focus();
      });
    });
  }

  /* ---------- what the server offers ---------- */

  function loadHealth() {
    fetch("health").then(function (r) { return r.json(); }).then(function (h) {
      $("version").textContent = h.version || "";
      var info = $("archive-info");
      if (h.index) {
        var n = h.index.documents;
        info.textContent = "The archive holds " + Number(n).toLocaleString("en-US") +
          " document" + (n === 1 ? "" : "s") + ".";
      } else {
        info.textContent = "This server has no archive (it was started without --index), " +
          "so checking is not available.";
        $("check-btn").disabled = true;
        $("check-btn").dataset.noIndex = "1";
      }
    }).catch(function () { /* the forms still work; errors show when used */ });
  }

  function init() {
    wireTabs();
    ["text-a", "text-b", "text-query"].forEach(function (id) { acceptDrops($(id)); });
    $("panel-compare").addEventListener("submit", function (ev) {
      ev.preventDefault();
      compare();
    });
    $("panel-check").addEventListener("submit", function (ev) {
      ev.preventDefault();
      if ($("check-btn").dataset.noIndex) return;
      check();
    });
    $("swap-btn").addEventListener("click", function () {
      var a = $("text-a");
      var b = $("text-b");
      var keep = { value: a.value, id: a.dataset.fileId, text: a.dataset.fileText };
      a.value = b.value;
      swapData(a, b.dataset.fileId, b.dataset.fileText);
      b.value = keep.value;
      swapData(b, keep.id, keep.text);
    });
    $("clear-btn").addEventListener("click", function () {
      ["text-a", "text-b"].forEach(function (id) {
        $(id).value = "";
        swapData($(id), undefined, undefined);
        $(id.replace("text-", "hint-")).textContent = "";
      });
      clearResults();
      $("status").textContent = "";
      $("text-a").focus();
    });
    loadHealth();
  }

  function swapData(area, fileId, fileText) {
    if (fileId === undefined) delete area.dataset.fileId; else area.dataset.fileId = fileId;
    if (fileText === undefined) delete area.dataset.fileText;
    else area.dataset.fileText = fileText;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
