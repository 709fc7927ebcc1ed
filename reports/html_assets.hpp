// The HTML page's style and script, inline so that the page needs no network and no other file.
// The script is small and works on the server-rendered table: hovering a square gives it its
// tooltip (cell, check, evidence, from the page's table of distinct texts), a click shows the same
// in the detail panel, a checkbox (or #failures in the address) hides every row without a
// failure, and when it has run it sets <body data-ready="1"> (the browser test reads that: a
// script error leaves it unset).
#pragma once

namespace procmatrix::reports {

inline constexpr const char* kHtmlStyle = R"CSS(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#1f2328;background:#fff}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.5em 0 .5em}
.verdict-ok{color:#1a7f37}.verdict-fail{color:#cf222e}.verdict-incomplete{color:#9a6700}
table{border-collapse:collapse}th,td{padding:2px 6px;border:1px solid #d0d7de;text-align:left;vertical-align:top}
#matrix td{width:1.6em;min-width:1.6em;text-align:center;cursor:pointer;padding:2px 0;font-weight:bold}
#matrix thead th{position:sticky;top:0;background:#f6f8fa;text-align:center}
#matrix th.check{font-family:ui-monospace,monospace;font-weight:normal;white-space:nowrap}
#matrix tr.group th{background:#eaeef2;font-weight:bold}
.pass{background:#dafbe1;color:#1a7f37}.fail{background:#ff8182;color:#82071e}
.na{background:#f6f8fa;color:#8c959f}.error{background:#fff8c5;color:#9a6700}
.rejected{background:#fbefff;color:#8250df}.none{background:#fff}
td.sel{outline:3px solid #0969da;outline-offset:-3px}
#detail{white-space:pre-wrap;font-family:ui-monospace,monospace;background:#f6f8fa;border:1px solid #d0d7de;
padding:.6em;margin:1em 0;min-height:3em;max-width:100em;overflow-wrap:anywhere}
.legend span{display:inline-block;margin-right:1em}.legend b{display:inline-block;width:1.4em;text-align:center;border:1px solid #d0d7de}
body.onlyfail #matrix tr.r:not(.f),body.onlyfail #matrix tr.group:not(.f){display:none}
code,.mono{font-family:ui-monospace,monospace}.fails td{max-width:60em;overflow-wrap:anywhere}
)CSS";

inline constexpr const char* kHtmlScript = R"JS(
(function () {
  "use strict";
  var doc = document;
  var texts = JSON.parse(doc.getElementById("texts").textContent);
  var detail = doc.getElementById("detail");
  var matrix = doc.getElementById("matrix");
  var selected = null;
  // A square's full text: its cell (the column's header), its check (the row's header), evidence.
  function describe(td) {
    var head = matrix.tHead.rows[0].cells[td.cellIndex];
    return head.title + "\n" + td.parentNode.cells[0].textContent + " " + texts[+td.getAttribute("data-t")];
  }
  function square(e) {
    var td = e.target.closest("td");
    return td && td.hasAttribute("data-t") ? td : null;
  }
  if (matrix) {
    matrix.addEventListener("mouseover", function (e) {
      var td = square(e);
      if (td && !td.title) td.title = describe(td);
    });
    matrix.addEventListener("click", function (e) {
      var td = square(e);
      if (!td) return;
      if (selected) selected.classList.remove("sel");
      selected = td;
      td.classList.add("sel");
      detail.textContent = describe(td);
    });
  }
  var only = doc.getElementById("onlyfail");
  function filter() { doc.body.classList.toggle("onlyfail", only.checked); }
  only.addEventListener("change", filter);
  // #failures in the address opens the page filtered (a link to share from CI).
  if (location.hash === "#failures") { only.checked = true; filter(); }
  doc.body.setAttribute("data-ready", "1");
})();
)JS";

}  // namespace procmatrix::reports
