// The search page: Pagefind's default UI on the bundle beside the site, wherever the site is
// served from (a project subpath included). A query in ?q= (the header's search box) runs at once.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") return;
  var bundle = new URL(box.getAttribute("data-bundle"), location.href);
  var root = new URL("../", bundle);
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: bundle.pathname,
    baseUrl: root.pathname,
    showImages: false,
    showSubResults: true,
    excerptLength: 30,
    resetStyles: false
  });
  var input = box.querySelector("input");
  if (input) input.setAttribute("aria-label", "搜索报告");
  var query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
})();
