// Search as the organiser types: fetch the same page with the query and swap the results.
// Without JavaScript the form still works with its button.
(function () {
  var form = document.querySelector("form[data-live-search]");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = form.getAttribute("action") || window.location.pathname;
      url += "?q=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("results");
          if (fresh) document.getElementById("results").replaceWith(fresh);
          history.replaceState(null, "", url);
        });
    }, 200);
  });
})();
