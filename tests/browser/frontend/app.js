/* A merchant's web app on its own origin: it holds a read-only token from its backend (here in the
 * address's fragment) and asks the gateway's /graphql for the number of customers. */
(function () {
  "use strict";
  var parameters = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  var answer = document.getElementById("answer");

  fetch(parameters.get("gateway") + "/graphql", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Authorization: "Bearer " + parameters.get("token"),
    },
    body: JSON.stringify({ query: "{ customers { totalCount } }" }),
  })
    .then(function (response) {
      return response.json();
    })
    .then(function (body) {
      answer.textContent = JSON.stringify(body);
      document.body.dataset.state = "answered";
    })
    .catch(function (error) {
      answer.textContent = String(error);
      document.body.dataset.state = "blocked";
    });
})();
