(function () {
  // A highlight's note opens on focus or click; Enter moves into it (its links can then be
  // tabbed through); Tab past its last link goes on to the next highlight; Escape closes it and
  // returns to the highlight.
  var pop = document.getElementById("tm-pop"), current = null, quiet = false;
  var highlights = Array.prototype.slice.call(document.querySelectorAll(".hl[id]"));
  function place(hl) {
    var r = hl.getBoundingClientRect(), h = pop.offsetHeight;
    var right = window.scrollX + document.documentElement.clientWidth - pop.offsetWidth - 8;
    pop.style.left = Math.max(8, Math.min(window.scrollX + r.left, right)) + "px";
    var below = r.bottom + 6 + h <= window.innerHeight || r.top - 6 - h < 0;
    pop.style.top = (window.scrollY + (below ? r.bottom + 6 : r.top - 6 - h)) + "px";
  }
  function open(hl) {
    var note = document.getElementById("n-" + hl.dataset.claim);
    if (!note) return;
    pop.innerHTML = note.innerHTML;
    pop.hidden = false;
    if (current) current.setAttribute("aria-expanded", "false");
    current = document.getElementById("c-" + hl.dataset.claim);
    current.setAttribute("aria-expanded", "true");
    place(current);
  }
  function close() {
    pop.hidden = true;
    if (current) current.setAttribute("aria-expanded", "false");
  }
  function back() {  // to the highlight, without reopening its note
    quiet = true; if (current) current.focus({preventScroll: true}); quiet = false;
  }
  function links() { return pop.querySelectorAll("a[href]"); }
  document.addEventListener("focusin", function (e) {
    var hl = e.target.closest && e.target.closest(".hl[id]");
    if (hl && !quiet) open(hl);
  });
  document.addEventListener("click", function (e) {
    var hl = e.target.closest(".hl");
    if (hl) { var first = document.getElementById("c-" + hl.dataset.claim); first.focus(); open(first); return; }
    var a = e.target.closest("#tm-pop a[href^='#c-']");
    if (a) {
      e.preventDefault();
      var t = document.getElementById(a.getAttribute("href").slice(1));
      t.scrollIntoView({block: "center"}); t.focus();
      return;
    }
    if (!e.target.closest("#tm-pop")) close();
  });
  document.addEventListener("keydown", function (e) {
    var inPop = pop.contains(document.activeElement);
    if (e.key === "Escape" && !pop.hidden) { close(); back(); return; }
    if ((e.key === "Enter" || e.key === " ") && e.target.matches && e.target.matches(".hl[id]")) {
      e.preventDefault(); open(e.target);
      if (links().length) links()[0].focus();
      return;
    }
    if (e.key === "Tab" && inPop) {
      var all = links(), first = all[0], last = all[all.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); back(); }
      if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        var next = highlights[highlights.indexOf(current) + 1];
        if (next) next.focus(); else { close(); back(); }
      }
    }
  });
})();
