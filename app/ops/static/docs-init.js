// Starts Swagger UI on /docs. Kept out of the page so the Content-Security-Policy can forbid inline
// scripts. The OpenAPI document's URL comes from the page (data-openapi-url), which knows the mount prefix.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  root.textContent = "";
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // The default validator badge is an image from an outside service: nothing leaves this origin.
    validatorUrl: null,
    defaultModelsExpandDepth: 1,
    docExpansion: "list",
  });
})();
