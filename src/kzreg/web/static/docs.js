// Starts Swagger UI on the local OpenAPI document (no inline script: the CSP forbids it).
(function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    validatorUrl: null,          // never ask an outside validator about our schema
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
