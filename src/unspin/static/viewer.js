/*
 * unspin viewer: shows one comparison result (Comparison.to_json()) next to the two texts.
 *
 * Dependency-free on purpose: the same file is inlined into the self-contained HTML report
 * (which must open from disk, offline) and served by the web app, so it cannot rely on a
 * framework, a build step or the network. It is a pure function of its input:
 *
 *   window.UnspinViewer.render(containerElement, {
 *     a_text: str, b_text: str, a_title?: str, b_title?: str,
 *     result: <Comparison.to_json() object>,
 *     a_skip?: [[start, end], ...], b_skip?: [[start, end], ...]   // metadata, shown muted
 *   })
 *
 * Every text goes into the page through textContent / text nodes, never innerHTML, so a
 * document containing markup is shown, not executed. Offsets in `result` are Python string
 * indices (Unicode code points); JavaScript strings index UTF-16 units, so offsets are
 * converted before slicing, otherwise every highlight after an emoji would be shifted.
 * Spans coming from the engine are treated as untrusted: sorted, clipped to the text,
 * de-overlapped, and dropped when meaningless, so a bad span degrades one highlight, not
 * the page.
 */
(function (global) {
  "use strict";

  var SIDES = ["a", "b"];
  var OTHER = { a: "b", b: "a" };
  var LABEL = { a: "A", b: "B" };

  var VERDICT_NAMES = {
    unrelated: "Unrelated",
    partial_reuse: "Partial reuse",
    near_duplicate: "Near duplicate",
    spun_copy: "Spun copy"
  };

  // Why an original was chosen, in plain words for someone who never heard of the tool.
  var REASONS = {
    date: "it carries the earlier date",
    "substitute rarity": "its wording is the ordinary one, while the other text uses the " +
      "rarer synonyms typical of spinning software",
    containment: "the other text contains it and adds material around it"
  };

  var FACT_KINDS = { number: "Number", name: "Name", date: "Date", other: "Other" };

  /* ---------- small helpers ---------- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function append(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) continue;
      parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return parent;
  }

  function asInt(x) {
    return typeof x === "number" && isFinite(x) ? Math.trunc(x) : NaN;
  }

  function asStr(x) {
    return typeof x === "string" ? x : x === null || x === undefined ? "" : String(x);
  }

  function asFraction(x) {
    return typeof x === "number" && isFinite(x) ? Math.min(1, Math.max(0, x)) : null;
  }

  function pct(x) {
    var f = asFraction(x);
    if (f === null) return "–";
    var v = f * 100;
    return (v > 0 && v < 1 ? "<1" : v > 99 && v < 100 ? ">99" : String(Math.round(v))) + "%";
  }

  /** Length in code points, the unit of every offset in the result. */
  function cpLength(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  /**
   * Maps code-point offsets (Python) to UTF-16 offsets (JavaScript) for one text.
   * Texts without astral characters (the usual case) need no table.
   */
  function offsetMap(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) {
      return { length: text.length, unit: function (cp) { return cp; } };
    }
    var units = [];
    var u = 0;
    for (var i = 0; i < text.length; i++) {
      units.push(u);
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        var d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { i++; u++; }
      }
      u++;
    }
    units.push(u);
    var n = units.length - 1;
    return { length: n, unit: function (cp) { return units[Math.max(0, Math.min(n, cp))]; } };
  }

  /** Clips [start, end) to [lo, hi); returns null when nothing meaningful is left. */
  function clip(start, end, lo, hi) {
    if (isNaN(start) || isNaN(end)) return null;
    var s = Math.max(start, lo);
    var e = Math.min(end, hi);
    return e > s ? [s, e] : null;
  }

  /**
   * Keeps spans that do not overlap an already kept one, in the order given (so earlier
   * spans win: callers put the more important kind first). Returns them sorted by start.
   */
  function keepDisjoint(spans) {
    var kept = [];
    spans.forEach(function (span) {
      var lo = 0;
      var hi = kept.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (kept[mid].start < span.start) lo = mid + 1; else hi = mid;
      }
      var before = kept[lo - 1];
      var after = kept[lo];
      if (before && before.end > span.start) return;
      if (after && after.start < span.end) return;
      kept.splice(lo, 0, span);
    });
    return kept;
  }

  /** Passages on one side: sorted, clipped, and trimmed so none overlaps the previous. */
  function layoutPassages(passages, side, length) {
    var spans = [];
    passages.forEach(function (p) {
      var span = clip(p.start[side], p.end[side], 0, length);
      if (span) spans.push({ start: span[0], end: span[1], passage: p });
    });
    spans.sort(function (x, y) { return x.start - y.start || y.end - x.end; });
    var out = [];
    var cursor = 0;
    spans.forEach(function (s) {
      var start = Math.max(s.start, cursor);
      if (s.end <= start) return;
      out.push({ start: start, end: s.end, passage: s.passage });
      cursor = s.end;
    });
    return out;
  }

  // Hues picked so that neighbouring passage numbers never look alike; past the end of the
  // list they repeat shifted, and the numbered badges still tell passages apart.
  var HUES = [210, 35, 140, 330, 265, 175, 55, 0, 195, 95, 300, 20];

  function hue(n) {
    var i = (n - 1) % HUES.length;
    var round = Math.floor((n - 1) / HUES.length);
    return (HUES[i < 0 ? 0 : i] + round * 13) % 360;
  }

  function snippet(text, map, start, end, radius) {
    var u0 = map.unit(start);
    var u1 = map.unit(end);
    var left = text.slice(Math.max(0, u0 - radius), u0);
    var right = text.slice(u1, u1 + radius);
    if (u0 - radius > 0) left = "…" + left.replace(/^\S*\s/, "");
    if (u1 + radius < text.length) right = right.replace(/\s\S*$/, "") + "…";
    return {
      before: left.replace(/\s+/g, " "),
      word: text.slice(u0, u1),
      after: right.replace(/\s+/g, " ")
    };
  }

  /* ---------- reading the result ---------- */

  /** Normalises the untrusted result into the few structures the page needs. */
  function prepare(data) {
    var result = data && typeof data.result === "object" && data.result ? data.result : {};
    var texts = { a: asStr(data && data.a_text), b: asStr(data && data.b_text) };
    var maps = { a: offsetMap(texts.a), b: offsetMap(texts.b) };

    var raw = Array.isArray(result.passages) ? result.passages : [];
    var passages = [];
    raw.forEach(function (p, index) {
      if (!p || typeof p !== "object") return;
      var item = {
        index: index,
        start: { a: asInt(p.a_start), b: asInt(p.b_start) },
        end: { a: asInt(p.a_end), b: asInt(p.b_end) },
        similarity: p.similarity,
        substitutions: Array.isArray(p.substitutions) ? p.substitutions : []
      };
      var onA = clip(item.start.a, item.end.a, 0, maps.a.length);
      var onB = clip(item.start.b, item.end.b, 0, maps.b.length);
      if (onA || onB) passages.push(item);
    });
    // Number passages in reading order of A (then B) so badges read 1, 2, 3 down column A.
    passages.sort(function (x, y) {
      var ax = isNaN(x.start.a) ? Infinity : x.start.a;
      var ay = isNaN(y.start.a) ? Infinity : y.start.a;
      return ax - ay || (x.start.b || 0) - (y.start.b || 0) || x.index - y.index;
    });
    passages.forEach(function (p, i) { p.number = i + 1; });

    var facts = [];
    (Array.isArray(result.changed_facts) ? result.changed_facts : []).forEach(function (f) {
      if (!f || typeof f !== "object") return;
      facts.push({
        id: facts.length,
        kind: asStr(f.kind) || "other",
        text: { a: asStr(f.a), b: asStr(f.b) },
        start: { a: asInt(f.a_start), b: asInt(f.b_start) }
      });
    });

    var layout = {};
    SIDES.forEach(function (side) {
      var length = maps[side].length;
      var marks = [];
      // Changed facts first: where a fact and a substitution cover the same words, the fact
      // (the more serious finding) is what the reader should see.
      facts.forEach(function (f) {
        var span = clip(f.start[side], f.start[side] + cpLength(f.text[side]), 0, length);
        if (span) marks.push({ start: span[0], end: span[1], fact: f });
      });
      passages.forEach(function (p) {
        var pspan = clip(p.start[side], p.end[side], 0, length);
        if (!pspan) return;
        p.substitutions.forEach(function (s) {
          if (!s || typeof s !== "object") return;
          var start = asInt(s[side + "_start"]);
          var span = clip(start, start + cpLength(asStr(s[side])), pspan[0], pspan[1]);
          if (span) {
            marks.push({ start: span[0], end: span[1], sub: { a: asStr(s.a), b: asStr(s.b) } });
          }
        });
      });
      // Leading metadata the engine did not compare (e.g. a "date ..." line), shown muted.
      var skips = [];
      var rawSkip = data && Array.isArray(data[side + "_skip"]) ? data[side + "_skip"] : [];
      rawSkip.forEach(function (pair) {
        if (!Array.isArray(pair)) return;
        var span = clip(asInt(pair[0]), asInt(pair[1]), 0, length);
        if (span) skips.push({ start: span[0], end: span[1], skip: true });
      });
      var facts1 = marks.filter(function (m) { return m.fact; });
      var subs1 = marks.filter(function (m) { return m.sub; });
      var byStart = function (x, y) { return x.start - y.start || x.end - y.end; };
      facts1.sort(byStart);
      subs1.sort(byStart);
      skips.sort(byStart);
      layout[side] = {
        passages: layoutPassages(passages, side, length),
        marks: keepDisjoint(facts1.concat(subs1, skips))
      };
    });

    var substitutionCount = 0;
    passages.forEach(function (p) { substitutionCount += p.substitutions.length; });

    return {
      result: result,
      texts: texts,
      maps: maps,
      passages: passages,
      facts: facts,
      layout: layout,
      substitutionCount: substitutionCount,
      titles: {
        a: asStr(data && data.a_title) || asStr(result.a && result.a.id) || "Text A",
        b: asStr(data && data.b_title) || asStr(result.b && result.b.id) || "Text B"
      },
      ids: { a: asStr(result.a && result.a.id), b: asStr(result.b && result.b.id) },
      original: result.original === "a" || result.original === "b" ? result.original : null
    };
  }

  /* ---------- header ---------- */

  function verdictSentence(verdict, original) {
    var copy = original ? LABEL[OTHER[original]] : null;
    var orig = original ? LABEL[original] : null;
    switch (verdict) {
      case "spun_copy":
        return original
          ? copy + " rewrites " + orig + " by swapping words for synonyms"
          : "one text rewrites the other by swapping words for synonyms";
      case "near_duplicate":
        return original
          ? copy + " is a lightly edited copy of " + orig
          : "A and B are essentially the same text, up to small edits";
      case "partial_reuse":
        return original
          ? copy + " reuses some passages of " + orig + "; most of each text is not shared"
          : "A and B share some passages; most of each text is not shared";
      case "unrelated":
        return "no reuse worth reporting between A and B";
      default:
        return "unrecognised verdict";
    }
  }

  function statCard(label, value, note, fraction) {
    var card = el("div", "us-stat");
    append(card, el("div", "us-stat-label", label), el("div", "us-stat-value", value));
    var f = asFraction(fraction);
    if (f !== null) {
      var bar = el("div", "us-bar");
      var fill = el("div", "us-bar-fill");
      fill.style.width = (f * 100).toFixed(1) + "%";
      append(card, append(bar, fill));
    }
    append(card, el("div", "us-stat-note", note));
    return card;
  }

  function renderHeader(model) {
    var r = model.result;
    var verdict = asStr(r.verdict) || "unknown";
    var header = el("header", "us-header");

    var banner = el("div", "us-verdict us-verdict--" + verdict.replace(/[^a-z_]/g, ""));
    var name = VERDICT_NAMES[verdict] || verdict;
    var headline = el("h1", "us-headline");
    append(headline, el("span", "us-verdict-name", name + ":"), " ",
      el("span", "us-verdict-text", verdictSentence(verdict, model.original)));
    append(banner, headline);

    var who = el("p", "us-original");
    if (model.original) {
      var o = model.original;
      append(who, "Original: ", el("strong", null, LABEL[o]), " \u2014 " + model.titles[o] +
        ". " + LABEL[OTHER[o]] + " was derived from it");
      var reason = asStr(r.original_reason);
      if (reason) append(who, ", judged so because " + (REASONS[reason] || reason));
      append(who, ".");
    } else {
      append(who, "Which text is the original could not be determined.");
    }
    append(banner, who);
    append(header, banner);

    var stats = el("div", "us-stats");
    var cov = r.coverage && typeof r.coverage === "object" ? r.coverage : {};
    append(stats,
      statCard("Score", pct(r.score), "strength of the evidence of reuse", r.score),
      statCard("A reused", pct(cov.a), "of text A lies inside reused passages", cov.a),
      statCard("B reused", pct(cov.b), "of text B lies inside reused passages", cov.b),
      statCard("Spin rate", pct(r.spin_rate),
        "of the aligned words were swapped for synonyms", r.spin_rate));
    append(header, stats);

    var counts = el("p", "us-counts");
    var n = model.passages.length;
    append(counts,
      n + " reused passage" + (n === 1 ? "" : "s") + " · " +
      model.substitutionCount + " substituted word" +
      (model.substitutionCount === 1 ? "" : "s") + " · " +
      model.facts.length + " changed fact" + (model.facts.length === 1 ? "" : "s"));
    append(header, counts);

    if (n === 0) {
      append(header, el("div", "us-empty", "No reuse found: the two texts share no passage."));
    }

    SIDES.forEach(function (side) {
      var side_ = r[side] && typeof r[side] === "object" ? r[side] : {};
      var chars = asInt(side_.chars);
      if (!isNaN(chars) && chars !== model.maps[side].length) {
        append(header, el("div", "us-warning",
          "Text " + LABEL[side] + " has " + model.maps[side].length + " characters but the " +
          "result was computed on " + chars + ": highlights may be misplaced."));
      }
    });
    return header;
  }

  function renderLegend() {
    var legend = el("div", "us-legend");
    var p = el("span", "us-passage us-legend-passage");
    p.style.setProperty("--us-hue", String(hue(1)));
    append(p, el("span", "us-badge", "1"), "reused passage");
    var subA = el("mark", "us-sub us-sub--a", "word");
    var subB = el("mark", "us-sub us-sub--b", "synonym");
    var fact = el("mark", "us-fact", "1,000");
    append(legend,
      append(el("span", "us-legend-item"), p,
        el("span", "us-legend-note", " same colour and number on both sides; " +
          "hover or click to find its counterpart")),
      append(el("span", "us-legend-item"), subA, el("span", "us-legend-note", " \u2192 "), subB,
        el("span", "us-legend-note", " a word of A and the synonym B put in its place")),
      append(el("span", "us-legend-item"), fact,
        el("span", "us-legend-note", " changed fact: a number, name or date that differs")));
    return legend;
  }

  /* ---------- the two texts ---------- */

  function markTitle(mark, side) {
    var other = OTHER[side];
    if (mark.fact) {
      var f = mark.fact;
      return "Changed " + (FACT_KINDS[f.kind] || f.kind).toLowerCase() + ": A says \u201c" +
        f.text.a + "\u201d, B says \u201c" + f.text.b + "\u201d";
    }
    return side === "a"
      ? "Replaced in B by \u201c" + mark.sub[other] + "\u201d"
      : "Was \u201c" + mark.sub[other] + "\u201d in A";
  }

  /**
   * Builds one column's text: plain text nodes, passage spans, and word marks nested in
   * them. The text is cut at every span boundary; each piece belongs to at most one passage
   * and one mark (both were made disjoint), so the nesting is always well formed.
   */
  function renderText(model, side, registry) {
    var text = model.texts[side];
    var map = model.maps[side];
    var lay = model.layout[side];
    var box = el("div", "us-text");
    box.setAttribute("tabindex", "0");

    var cuts = [0, map.length];
    lay.passages.forEach(function (p) { cuts.push(p.start, p.end); });
    lay.marks.forEach(function (m) { cuts.push(m.start, m.end); });
    cuts.sort(function (x, y) { return x - y; });

    var pi = 0;
    var mi = 0;
    var openPassage = null;
    var openPassageSpan = null;
    var openMark = null;
    var openMarkSpan = null;
    for (var i = 0; i + 1 < cuts.length; i++) {
      var x = cuts[i];
      var y = cuts[i + 1];
      if (y <= x) continue;
      while (pi < lay.passages.length && lay.passages[pi].end <= x) pi++;
      while (mi < lay.marks.length && lay.marks[mi].end <= x) mi++;
      var pspan = pi < lay.passages.length && lay.passages[pi].start <= x ? lay.passages[pi] : null;
      var mspan = mi < lay.marks.length && lay.marks[mi].start <= x ? lay.marks[mi] : null;

      if (pspan !== openPassageSpan) {
        openPassageSpan = pspan;
        openPassage = null;
        openMark = null;
        openMarkSpan = null;
        if (pspan) {
          var p = pspan.passage;
          openPassage = el("span", "us-passage");
          openPassage.setAttribute("data-passage", String(p.number));
          openPassage.style.setProperty("--us-hue", String(hue(p.number)));
          var badge = el("span", "us-badge", String(p.number));
          badge.setAttribute("aria-hidden", "true");
          var sim = asFraction(p.similarity);
          badge.title = "Passage " + p.number +
            (sim !== null ? " · " + pct(sim) + " of words kept" : "") +
            " · click to line up with " + LABEL[OTHER[side]];
          append(openPassage, badge);
          append(box, openPassage);
          registry.passages[side][p.number] = openPassage;
        }
      }
      var parent = openPassage || box;
      var piece = text.slice(map.unit(x), map.unit(y));
      if (mspan) {
        if (mspan !== openMarkSpan) {
          openMarkSpan = mspan;
          if (mspan.skip) {
            openMark = el("span", "us-skip");
            openMark.title = "Metadata, not compared";
          } else {
            openMark = el("mark", mspan.fact
              ? "us-fact us-fact--" + mspan.fact.kind.replace(/[^a-z]/g, "")
              : "us-sub us-sub--" + side);
            openMark.title = markTitle(mspan, side);
          }
          append(parent, openMark);
          if (mspan.fact && !registry.facts[side][mspan.fact.id]) {
            registry.facts[side][mspan.fact.id] = openMark;
          }
        }
        append(openMark, piece);
      } else {
        openMark = null;
        openMarkSpan = null;
        append(parent, piece);
      }
    }
    if (!text) append(box, el("span", "us-muted", "(empty text)"));
    return box;
  }

  function renderColumn(model, side, registry) {
    var col = el("section", "us-col us-col--" + side);
    var head = el("div", "us-col-head");
    var letter = el("span", "us-letter", LABEL[side]);
    var titles = el("div", "us-col-titles");
    append(titles, el("div", "us-col-title", model.titles[side]));
    var sub = [];
    if (model.ids[side] && model.ids[side] !== model.titles[side]) sub.push(model.ids[side]);
    sub.push(model.maps[side].length.toLocaleString("en-US") + " characters");
    append(titles, el("div", "us-col-sub", sub.join(" · ")));
    append(head, letter, titles);
    if (model.original) {
      var isOriginal = model.original === side;
      append(head, el("span", "us-role us-role--" + (isOriginal ? "original" : "copy"),
        isOriginal ? "Original" : "Copy"));
    }
    var text = renderText(model, side, registry);
    registry.scrollers[side] = text;
    append(col, head, text);
    return col;
  }

  /* ---------- changed facts ---------- */

  function renderFacts(model, onJump) {
    var section = el("section", "us-facts");
    append(section, el("h2", "us-h2", "Changed facts"));
    if (!model.facts.length) {
      append(section, el("p", "us-muted", "No changed facts: wherever B rewrites A, the " +
        "numbers, names and dates it states are the same."));
      return section;
    }
    append(section, el("p", "us-muted", "Substitutions that change what the text asserts. " +
      "Click a row to see it in both texts."));
    var table = el("table", "us-table");
    var thead = el("thead");
    var hr = el("tr");
    ["#", "Kind", "In A", "In B"].forEach(function (h) { append(hr, el("th", null, h)); });
    append(table, append(thead, hr));
    var tbody = el("tbody");
    model.facts.forEach(function (f, i) {
      var row = el("tr", "us-fact-row");
      row.setAttribute("tabindex", "0");
      row.setAttribute("role", "button");
      row.title = "Show in both texts";
      var kind = el("span", "us-kind us-kind--" + f.kind.replace(/[^a-z]/g, ""),
        FACT_KINDS[f.kind] || f.kind);
      append(row, el("td", "us-num", String(i + 1)), append(el("td"), kind));
      SIDES.forEach(function (side) {
        var cell = el("td", "us-fact-cell");
        var start = f.start[side];
        var span = clip(start, start + cpLength(f.text[side]), 0, model.maps[side].length);
        if (span) {
          var s = snippet(model.texts[side], model.maps[side], span[0], span[1], 48);
          append(cell, el("span", "us-ctx", s.before), el("mark", "us-fact", s.word),
            el("span", "us-ctx", s.after));
        } else {
          append(cell, el("mark", "us-fact", f.text[side] || "–"));
        }
        append(row, cell);
      });
      var go = function () { onJump(f.id); };
      row.addEventListener("click", go);
      row.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); }
      });
      append(tbody, row);
    });
    append(section, append(table, tbody));
    return section;
  }

  /* ---------- interaction ---------- */

  /** True when a reader can already see the start of `target` (or a good part of it). */
  function isVisibleIn(scroller, target) {
    var s = scroller.getBoundingClientRect();
    var t = target.getBoundingClientRect();
    var room = Math.min(60, s.height / 4);
    if (t.top >= s.top) return t.top <= s.bottom - room;
    return t.bottom >= s.top + room;
  }

  /** Scrolls `scroller` (not the page) so that `target` sits `offset` px below its top. */
  function scrollWithin(scroller, target, offset) {
    var s = scroller.getBoundingClientRect();
    var t = target.getBoundingClientRect();
    var want = offset === null || offset === undefined ? s.height / 4 : offset;
    want = Math.max(8, Math.min(want, s.height - 40));
    var top = scroller.scrollTop + (t.top - s.top) - want;
    if (typeof scroller.scrollTo === "function") {
      scroller.scrollTo({ top: Math.max(0, top), behavior: "smooth" });
    } else {
      scroller.scrollTop = Math.max(0, top);
    }
  }

  function flash(node) {
    node.classList.remove("is-flash");
    void node.offsetWidth; // restart the animation
    node.classList.add("is-flash");
    setTimeout(function () { node.classList.remove("is-flash"); }, 1800);
  }

  function wire(root, columns, registry) {
    var active = null;
    var hoverTimer = null;

    function setActive(number) {
      if (active === number) return;
      SIDES.forEach(function (side) {
        var old = active !== null ? registry.passages[side][active] : null;
        if (old) old.classList.remove("is-active");
        var now = number !== null ? registry.passages[side][number] : null;
        if (now) now.classList.add("is-active");
        registry.scrollers[side].classList.toggle("has-active", number !== null);
      });
      active = number;
    }

    function passageOf(target) {
      var node = target && target.closest ? target.closest(".us-passage[data-passage]") : null;
      if (!node || !root.contains(node)) return null;
      var side = node.closest(".us-col--a") ? "a" : "b";
      return { node: node, side: side, number: Number(node.getAttribute("data-passage")) };
    }

    // Brings the counterpart of a passage level with it, so both can be read side by side.
    function lineUp(hit, force) {
      var other = OTHER[hit.side];
      var target = registry.passages[other][hit.number];
      if (!target) return;
      var scroller = registry.scrollers[other];
      if (!force && isVisibleIn(scroller, target)) return;
      var own = registry.scrollers[hit.side].getBoundingClientRect();
      scrollWithin(scroller, target, hit.node.getBoundingClientRect().top - own.top);
    }

    columns.addEventListener("mouseover", function (ev) {
      var hit = passageOf(ev.target);
      setActive(hit ? hit.number : null);
      clearTimeout(hoverTimer);
      // A short delay so sweeping the mouse across the text does not make the other side jump.
      if (hit) hoverTimer = setTimeout(function () { lineUp(hit, false); }, 250);
    });
    columns.addEventListener("mouseleave", function () {
      clearTimeout(hoverTimer);
      setActive(null);
    });
    columns.addEventListener("click", function (ev) {
      var hit = passageOf(ev.target);
      if (!hit) return;
      clearTimeout(hoverTimer);
      setActive(hit.number);
      lineUp(hit, true);
      var other = registry.passages[OTHER[hit.side]][hit.number];
      if (other) flash(other);
    });
  }

  /* ---------- entry point ---------- */

  function render(container, data) {
    if (!container || typeof container.appendChild !== "function") {
      throw new TypeError("UnspinViewer.render needs a DOM element to render into");
    }
    var model = prepare(data || {});
    var registry = {
      passages: { a: {}, b: {} },
      facts: { a: {}, b: {} },
      scrollers: {}
    };

    var root = el("div", "unspin");
    var columns = el("div", "us-columns");
    append(columns, renderColumn(model, "a", registry), renderColumn(model, "b", registry));

    function jumpToFact(id) {
      var rect = columns.getBoundingClientRect();
      var viewport = window.innerHeight || document.documentElement.clientHeight;
      if (rect.top < 0 || rect.top > viewport * 0.5) {
        columns.scrollIntoView({ behavior: "smooth", block: "start" });
      }
      SIDES.forEach(function (side) {
        var node = registry.facts[side][id];
        if (!node) return;
        scrollWithin(registry.scrollers[side], node, null);
        flash(node);
      });
    }

    append(root, renderHeader(model), renderLegend(), columns, renderFacts(model, jumpToFact));
    while (container.firstChild) container.removeChild(container.firstChild);
    container.appendChild(root);
    wire(root, columns, registry);
    return root;
  }

  global.UnspinViewer = { render: render, version: "1" };
})(typeof window !== "undefined" ? window : this);
