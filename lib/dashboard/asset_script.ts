/**
 * The dashboard's one script, shipped as a string inside the program: it
 * swaps in the fragments the live stream sends, shows whether the stream is
 * connected, and fills the call form's function list for the module typed.
 * Everything else works without it.
 *
 * @module
 */

export const SCRIPT = `"use strict";
(function () {
  var body = document.body;
  var live = document.getElementById("live");
  var url = body.getAttribute("data-stream");
  function state(text, ok) {
    if (!live) return;
    live.textContent = text;
    live.className = "live " + (ok ? "on" : "off");
  }
  if (url && window.EventSource) {
    var source = new EventSource(url);
    source.addEventListener("open", function () { state("live", true); });
    source.addEventListener("error", function () { state("reconnecting", false); });
    source.addEventListener("fragment", function (e) {
      var f = JSON.parse(e.data);
      var el = document.getElementById(f.id);
      if (el) el.innerHTML = f.html;
      state("live", true);
    });
    source.addEventListener("signedout", function () {
      source.close();
      window.location.href = "/dashboard/signin";
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }
  var catalogEl = document.getElementById("call-catalog");
  var moduleEl = document.getElementById("call-module");
  var fnList = document.getElementById("call-functions");
  var nodeEl = document.getElementById("call-node");
  if (catalogEl && moduleEl && fnList) {
    var catalog = JSON.parse(catalogEl.textContent || "{}");
    moduleEl.addEventListener("input", function () {
      var fns = catalog[moduleEl.value] || [];
      fnList.replaceChildren.apply(fnList, fns.map(function (fn) {
        var o = document.createElement("option");
        o.value = fn;
        return o;
      }));
    });
  }
  if (nodeEl) {
    nodeEl.addEventListener("change", function () {
      var q = new URLSearchParams({ node: nodeEl.value, module: moduleEl ? moduleEl.value : "" });
      window.location.href = "/dashboard/call?" + q.toString();
    });
  }
})();
`;
