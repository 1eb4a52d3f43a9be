// Draws the API's OpenAPI document with Swagger UI, read only: the API takes no requests
// but GET, and the page offers no "Try it out" that would need the page to send others.
document.addEventListener("DOMContentLoaded", function () {
  var container = document.getElementById("swagger-ui");
  if (!container || !window.SwaggerUIBundle) {
    return;
  }
  window.SwaggerUIBundle({
    url: container.dataset.schemaUrl,
    domNode: container,
    deepLinking: true,
    supportedSubmitMethods: ["get"],
    defaultModelsExpandDepth: 0,
  });
});
