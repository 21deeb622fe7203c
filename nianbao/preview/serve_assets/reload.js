// nianbao serve (the local preview only, never published): reload the page after each good
// build and show the last build's errors. No inline script or style: the pages' CSP forbids them.
(function () {
  "use strict";
  var script = document.currentScript;
  var page = script ? script.getAttribute("data-build") : null;
  var source = new EventSource("/__nianbao__/events");

  source.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (page === null) page = state.build;
    if (state.build !== page) {  // a newer good build than the one this page came from
      source.close();
      window.location.reload();
      return;
    }
    show(state);
  };

  function show(state) {
    var box = document.getElementById("nianbao-serve");
    var failed = state.errors.length > 0;
    if (!failed && !state.building) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "nianbao-serve";
      document.body.appendChild(box);
    }
    box.className = "nianbao-serve " + (failed ? "nianbao-serve-failed" : "nianbao-serve-building");
    box.setAttribute("role", failed ? "alert" : "status");
    var title = document.createElement("p");
    title.textContent = failed ? "构建失败 · build failed: the last good site is shown" : "构建中 · building…";
    if (failed && state.building) title.textContent += " (rebuilding…)";
    box.replaceChildren(title);
    if (failed) {
      var pre = document.createElement("pre");
      pre.textContent = state.errors.join("\n\n");
      box.appendChild(pre);
    }
  }
})();
