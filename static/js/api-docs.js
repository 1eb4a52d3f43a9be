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
    // The document names the site's public address; a request tried out from the page
    // goes to the page's own origin, the only one its content policy lets it reach.
    requestInterceptor: function (request) {
      var address = new URL(request.url, window.location.href);
      request.url = window.location.origin + address.pathname + address.search;
      return request;
    },
    defaultModelsExpandDepth: 0,
  });
});
