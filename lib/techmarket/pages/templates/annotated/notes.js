(function () {
  // Each highlight ends with a button (.hl-note, id "b-" + claim) that opens its note: on focus or on
  // a click anywhere on the highlight. Enter or Space moves into the note (its links can then be
  // tabbed through); Tab past its last link goes on to the next highlight's button; Escape closes
  // the note and returns to the button. The highlight itself (id "c-" + claim) is not interactive.
  var pop = document.getElementById("tm-pop"), current = null, quiet = false;
  var buttons = Array.prototype.slice.call(document.querySelectorAll(".hl-note"));
  function button(claim) { return document.getElementById("b-" + claim); }
  function place(claim) {
    var r = document.getElementById("c-" + claim).getBoundingClientRect(), h = pop.offsetHeight;
    var right = window.scrollX + document.documentElement.clientWidth - pop.offsetWidth - 8;
    pop.style.left = Math.max(8, Math.min(window.scrollX + r.left, right)) + "px";
    var below = r.bottom + 6 + h <= window.innerHeight || r.top - 6 - h < 0;
    pop.style.top = (window.scrollY + (below ? r.bottom + 6 : r.top - 6 - h)) + "px";
  }
  function open(claim) {
    var note = document.getElementById("n-" + claim);
    if (!note) return;
    pop.innerHTML = note.innerHTML;
    pop.hidden = false;
    if (current) current.setAttribute("aria-expanded", "false");
    current = button(claim);
    current.setAttribute("aria-expanded", "true");
    place(claim);
  }
  function close() {
    pop.hidden = true;
    if (current) current.setAttribute("aria-expanded", "false");
  }
  function back() {  // to the button, without reopening its note
    quiet = true; if (current) current.focus({preventScroll: true}); quiet = false;
  }
  function links() { return pop.querySelectorAll("a[href]"); }
  document.addEventListener("focusin", function (e) {
    if (!quiet && e.target.matches && e.target.matches(".hl-note")) open(e.target.dataset.claim);
  });
  document.addEventListener("click", function (e) {
    var hl = e.target.closest(".hl");
    if (hl) {
      if (e.detail === 0 && e.target.closest(".hl-note")) return;  // a key on the button: keydown has done it
      var claim = hl.dataset.claim; button(claim).focus(); open(claim); return;
    }
    var a = e.target.closest("#tm-pop a[href^='#c-']");
    if (a) {
      e.preventDefault();
      var claim2 = a.getAttribute("href").slice(3);
      document.getElementById("c-" + claim2).scrollIntoView({block: "center"}); button(claim2).focus();
      return;
    }
    if (!e.target.closest("#tm-pop")) close();
  });
  document.addEventListener("keydown", function (e) {
    var inPop = pop.contains(document.activeElement);
    if (e.key === "Escape" && !pop.hidden) { close(); back(); return; }
    if ((e.key === "Enter" || e.key === " ") && e.target.matches && e.target.matches(".hl-note")) {
      e.preventDefault(); open(e.target.dataset.claim);
      if (links().length) links()[0].focus();
      return;
    }
    if (e.key === "Tab" && inPop) {
      var all = links(), first = all[0], last = all[all.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); back(); }
      if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        var next = buttons[buttons.indexOf(current) + 1];
        if (next) next.focus(); else { close(); back(); }
      }
    }
  });
})();
