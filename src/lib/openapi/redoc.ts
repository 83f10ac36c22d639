/** ReDoc page. The script comes from the ReDoc CDN, as FastAPI's /redoc page does. */
export function redocPage(specUrl: string): string {
  return `<!DOCTYPE html>
<html>
  <head>
    <title>Audit Service - ReDoc</title>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="${specUrl}"></redoc>
    <script src="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js"></script>
  </body>
</html>`;
}
