import { STATIC_BASE } from './redoc';

/**
 * Swagger UI page. Script and styles come from the swagger-ui-dist npm package, served by the
 * Worker's static assets, so the page renders where there is no internet.
 */
export function swaggerPage(specUrl: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <title>Audit Service - Swagger UI</title>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="icon" type="image/png" href="${STATIC_BASE}/swagger-ui/favicon-32x32.png">
    <link rel="stylesheet" href="${STATIC_BASE}/swagger-ui/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${STATIC_BASE}/swagger-ui/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#swagger-ui', persistAuthorization: true });
    </script>
  </body>
</html>`;
}
