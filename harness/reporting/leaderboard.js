(function () {
  function key(cell) {
    var text = cell.textContent.trim();
    var m = text.match(/^[-+]?\d+(\.\d+)?/);
    return m ? { num: parseFloat(m[0]), text: text } : { num: null, text: text };
  }
  function compare(a, b, dir) {
    var missingA = a.text === "\u2013", missingB = b.text === "\u2013";
    if (missingA || missingB) { return missingA === missingB ? 0 : (missingA ? 1 : -1); }
    if (a.num !== null && b.num !== null) { return dir * (a.num - b.num); }
    if (a.num !== null) { return -1; }
    if (b.num !== null) { return 1; }
    return dir * a.text.localeCompare(b.text);
  }
  function sortBy(th) {
    var table = th.closest("table");
    var col = th.cellIndex;
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    table.querySelectorAll("thead th").forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      return compare(key(r1.cells[col]), key(r2.cells[col]), dir);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.querySelectorAll("table.sortable thead th").forEach(function (th) {
    th.tabIndex = 0;
    th.title = "sort by this column";
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(th); }
    });
  });
})();
